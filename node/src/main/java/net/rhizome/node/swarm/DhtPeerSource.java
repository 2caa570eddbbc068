package net.rhizome.node.swarm;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.rhizome.net.dht.DhtNode;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.PeerSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Model peers through the node's Mainline DHT: get_peers and announce_peer on the 20-byte handshake hash. */
final class DhtPeerSource implements PeerSource {
    private static final Logger log = LoggerFactory.getLogger(DhtPeerSource.class);
    private final DhtNode dht;

    DhtPeerSource(DhtNode dht) {
        this.dht = dht;
    }

    @Override
    public List<PeerAddress> peers(byte[] infoHash20) {
        try {
            List<InetSocketAddress> found = dht.getPeers(infoHash20).get(15, TimeUnit.SECONDS);
            return found.stream().map(a -> new PeerAddress(a.getAddress().getHostAddress(), a.getPort())).toList();
        } catch (Exception e) {
            log.debug("DHT get_peers failed: {}", e.toString());
            return List.of();
        }
    }

    @Override
    public void announce(byte[] infoHash20, int port) {
        dht.announce(infoHash20, port).exceptionally(e -> {
            log.debug("DHT announce failed: {}", e.toString());
            return 0;
        });
    }
}
