package net.rhizome.node.gateway;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.market.gateway.Router;
import net.rhizome.net.peers.Peer;
import net.rhizome.net.peers.PeerBook;
import net.rhizome.net.peers.PeerConnections;
import net.rhizome.net.peers.SignedRecord;
import net.rhizome.net.record.NodeRecord;
import net.rhizome.net.transport.HostPort;
import net.rhizome.net.transport.NodeTransport;
import net.rhizome.net.transport.proto.InfoRequest;
import net.rhizome.net.transport.proto.NodeInfo;
import net.rhizome.net.transport.proto.NodeServiceGrpc;
import net.rhizome.node.swarm.SwarmFeature;
import net.rhizome.swarm.PeerAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current signed node records of the peers in the book, re-read over the node transport: a worker's
 * record changes when it starts serving a model, after it joined. Only records whose signature by the
 * peer's key checks out are used. This node's own record counts too, so a gateway also routes to the
 * worker in its own process.
 */
final class PeerRecords {
    private static final Logger log = LoggerFactory.getLogger(PeerRecords.class);

    private final PeerBook book;
    private final PeerConnections connections;
    private final Supplier<Optional<NodeRecord>> own;
    private final Map<PeerId, NodeRecord> records = new ConcurrentHashMap<>();

    PeerRecords(PeerBook book, PeerConnections connections, Supplier<Optional<NodeRecord>> own) {
        this.book = book;
        this.connections = connections;
        this.own = own;
    }

    /** Fetches the record of every known peer with the worker role (one GetInfo each). */
    void refresh() {
        List<Peer> peers = book.snapshot().stream().filter(p -> p.details().roles().contains("worker")).toList();
        records.keySet().retainAll(peers.stream().map(Peer::id).toList());
        for (Peer p : peers) {
            try {
                NodeInfo info = NodeServiceGrpc.newBlockingStub(connections.channel(p.id()))
                        .withDeadlineAfter(3, TimeUnit.SECONDS)
                        .getInfo(InfoRequest.newBuilder().setProtocolVersion(NodeTransport.PROTOCOL_VERSION).build());
                records.put(p.id(), SignedRecord.verify(p.id(), info.getRecordValue().toByteArray(), info.getRecordSeq(),
                        info.getRecordSignature().toByteArray()));
            } catch (RuntimeException | SignedRecord.InvalidRecordException e) {
                log.debug("node record not refreshed peer={} reason={}", p.id().shortId(), e.getMessage());
            }
        }
    }

    /** The worker's advertised tokens/s (0 when absent or malformed). */
    static long speed(NodeRecord r) {
        return r.extensions().get(net.rhizome.node.worker.WorkerFeature.SPEED_KEY) instanceof BValue.BInt(long v) && v >= 0 ? v : 0;
    }

    /** Peers in the book, and this node, whose latest record lists models. */
    List<Router.LivePeer> live() {
        return records().filter(r -> !r.models().isEmpty())
                .map(r -> new Router.LivePeer(r.peerId(), r.models(), speed(r)))
                .toList();
    }

    /** The swarm addresses of the live workers serving {@code modelId} (they seed it), as their records give them. */
    List<PeerAddress> seeders(String modelId) {
        return records().filter(r -> r.models().contains(modelId)).flatMap(r -> {
            if (!(r.extensions().get(SwarmFeature.PORT_KEY) instanceof BValue.BInt(long port)) || port < 1 || port > 65535) {
                return Stream.empty();
            }
            try {
                return Stream.of(new PeerAddress(HostPort.parse(r.rpcAddress()).host(), (int) port));
            } catch (IllegalArgumentException e) {
                return Stream.empty();
            }
        }).toList();
    }

    private Stream<NodeRecord> records() {
        return Stream.concat(book.snapshot().stream().map(p -> records.get(p.id())), own.get().stream()).filter(r -> r != null);
    }
}
