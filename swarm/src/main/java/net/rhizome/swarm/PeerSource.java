package net.rhizome.swarm;

import java.util.List;

/**
 * Somewhere to find peers for a torrent and to announce that this node has it. The node wires the
 * DHT in here (BEP 5 get_peers / announce_peer keyed by the 20-byte handshake info-hash).
 */
public interface PeerSource {
    /** Peers that may have the torrent whose 20-byte info-hash is {@code infoHash20}; may block briefly. */
    List<PeerAddress> peers(byte[] infoHash20);

    /** Tells the source this node serves {@code infoHash20} on {@code port}. */
    default void announce(byte[] infoHash20, int port) {}
}
