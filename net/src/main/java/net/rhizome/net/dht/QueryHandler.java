package net.rhizome.net.dht;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BValue.BBytes;
import net.rhizome.core.bencode.BValue.BDict;
import net.rhizome.core.bencode.BValue.BInt;
import net.rhizome.core.bencode.BValue.BList;
import net.rhizome.core.bencode.BencodeException;

/** Answers incoming KRPC queries: BEP 5 ping, find_node, get_peers, announce_peer and BEP 44 get, put. */
final class QueryHandler {
    /** The outcome of one query: a response dictionary or a KRPC error. */
    sealed interface Reply permits Ok, Fail {}

    record Ok(BDict values) implements Reply {}

    record Fail(int code, String message) implements Reply {}

    /** Peers per get_peers reply, so the response stays well under the datagram limit. */
    static final int MAX_PEERS_PER_REPLY = 50;

    private final NodeId self;
    private final int k;
    private final boolean ipv6;
    private final RoutingTable table;
    private final TokenManager tokens;
    private final PeerStore peers;
    private final ItemStore items;

    QueryHandler(NodeId self, int k, boolean ipv6, RoutingTable table, TokenManager tokens, PeerStore peers, ItemStore items) {
        this.self = self;
        this.k = k;
        this.ipv6 = ipv6;
        this.table = table;
        this.tokens = tokens;
        this.peers = peers;
        this.items = items;
    }

    Reply handle(KrpcMessage.Query q, InetSocketAddress from) {
        try {
            return switch (q.method()) {
                case "ping" -> new Ok(base().build());
                case "find_node" -> new Ok(base().nodes(id20(q.args(), "target")).build());
                case "get_peers" -> getPeers(q.args(), from);
                case "announce_peer" -> announce(q.args(), from);
                case "get" -> get(q.args(), from);
                case "put" -> put(q.args(), from);
                default -> new Fail(KrpcMessage.Error.METHOD_UNKNOWN, "method unknown");
            };
        } catch (BencodeException | IllegalArgumentException e) {
            return new Fail(KrpcMessage.Error.PROTOCOL, e.getMessage());
        }
    }

    private Reply getPeers(BDict a, InetSocketAddress from) {
        NodeId hash = id20(a, "info_hash");
        Builder r = base().nodes(hash).put("token", BValue.bytes(tokens.tokenFor(from.getAddress())));
        List<InetSocketAddress> found = peers.get(hash, MAX_PEERS_PER_REPLY);
        if (!found.isEmpty()) {
            r.put("values", new BList(found.stream().<BValue>map(p -> BValue.bytes(Compact.peer(p))).toList()));
        }
        return new Ok(r.build());
    }

    private Reply announce(BDict a, InetSocketAddress from) {
        NodeId hash = id20(a, "info_hash");
        byte[] token = a.require("token", BBytes.class).bytes();
        if (!tokens.isValid(token, from.getAddress())) {
            return new Fail(KrpcMessage.Error.PROTOCOL, "bad token");
        }
        boolean implied = a.optional("implied_port", BInt.class).map(i -> i.value() != 0).orElse(false);
        long port = implied ? from.getPort() : a.require("port", BInt.class).value();
        if (port < 1 || port > 65535) {
            return new Fail(KrpcMessage.Error.PROTOCOL, "port " + port + " out of range");
        }
        if (!peers.add(hash, new InetSocketAddress(from.getAddress(), (int) port))) {
            return new Fail(KrpcMessage.Error.SERVER, "peer store full");
        }
        return new Ok(base().build());
    }

    private Reply get(BDict a, InetSocketAddress from) {
        NodeId target = id20(a, "target");
        Builder r = base().nodes(target).put("token", BValue.bytes(tokens.tokenFor(from.getAddress())));
        OptionalLong minSeq = a.optional("seq", BInt.class).map(i -> OptionalLong.of(i.value())).orElse(OptionalLong.empty());
        switch (items.get(target).orElse(null)) {
            case ItemStore.Immutable i -> r.put("v", i.value());
            case ItemStore.Mutable m -> {
                MutableItem item = m.item();
                r.put("k", BValue.bytes(item.publicKey())).put("seq", BValue.integer(item.seq()));
                if (minSeq.isEmpty() || item.seq() > minSeq.getAsLong()) {
                    r.put("v", item.value()).put("sig", BValue.bytes(item.signature()));
                }
            }
            case null -> {}
        }
        return new Ok(r.build());
    }

    private Reply put(BDict a, InetSocketAddress from) {
        byte[] token = a.require("token", BBytes.class).bytes();
        if (!tokens.isValid(token, from.getAddress())) {
            return new Fail(KrpcMessage.Error.PROTOCOL, "bad token");
        }
        BValue v = a.get("v").orElseThrow(() -> new BencodeException("missing key 'v'"));
        Optional<BBytes> k = a.optional("k", BBytes.class);
        Optional<ItemStore.Rejection> rejected;
        if (k.isEmpty()) {
            rejected = items.putImmutable(v);
        } else {
            if (k.get().length() != 32) {
                return new Fail(KrpcMessage.Error.PROTOCOL, "k must be a 32-byte Ed25519 key");
            }
            byte[] salt = a.optional("salt", BBytes.class).map(BBytes::bytes).orElse(new byte[0]);
            long seq = a.require("seq", BInt.class).value();
            byte[] sig = a.require("sig", BBytes.class).bytes();
            OptionalLong cas = a.optional("cas", BInt.class).map(i -> OptionalLong.of(i.value())).orElse(OptionalLong.empty());
            rejected = items.putMutable(new MutableItem(k.get().bytes(), salt, seq, v, sig), cas);
        }
        return rejected.<Reply>map(rj -> new Fail(rj.code(), rj.message())).orElseGet(() -> new Ok(base().build()));
    }

    private static NodeId id20(BDict a, String key) {
        BBytes b = a.require(key, BBytes.class);
        if (b.length() != NodeId.LENGTH) {
            throw new BencodeException("'" + key + "' must be 20 bytes, got " + b.length());
        }
        return NodeId.of(b.bytes());
    }

    private Builder base() {
        return new Builder().put("id", BValue.bytes(self.bytes()));
    }

    private final class Builder {
        private final TreeMap<BBytes, BValue> map = new TreeMap<>();

        Builder put(String key, BValue value) {
            map.put(BBytes.of(key), value);
            return this;
        }

        Builder nodes(NodeId target) {
            return put(ipv6 ? "nodes6" : "nodes", BValue.bytes(Compact.nodes(table.closest(target, k), ipv6)));
        }

        BDict build() {
            return BValue.dict(map);
        }
    }
}
