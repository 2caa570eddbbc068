package net.rhizome.net.record;

import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.crypto.PeerId;

/**
 * What a node says about itself, signed with its key and published in the DHT.
 *
 * @param peerId the node (its Ed25519 key signs the record)
 * @param rpcAddress where its transport listens, {@code host:port}
 * @param httpUrl its HTTP API, e.g. {@code http://127.0.0.1:8080}
 * @param roles gateway, worker, seeder, auditor, scanner …
 * @param models served models as 64-hex-character BitTorrent v2 info-hashes
 * @param software the software version
 * @param seq sequence number; a newer record has a higher one (e.g. Unix milliseconds)
 * @param extensions further fields by key (price, capacity, speed …), kept as they were
 *     encoded so older software passes them on unchanged; keys must not clash with the
 *     built-in ones ({@link NodeRecordCodec#RESERVED_KEYS})
 */
public record NodeRecord(
        PeerId peerId,
        String rpcAddress,
        String httpUrl,
        Set<String> roles,
        List<String> models,
        String software,
        long seq,
        SortedMap<String, BValue> extensions) {

    public NodeRecord {
        roles = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(roles));
        models = List.copyOf(models);
        extensions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(extensions));
        NodeRecordCodec.validate(rpcAddress, httpUrl, roles, models, software, extensions);
    }

    public NodeRecord(PeerId peerId, String rpcAddress, String httpUrl, Set<String> roles, List<String> models, String software, long seq) {
        this(peerId, rpcAddress, httpUrl, roles, models, software, seq, new TreeMap<>());
    }

    /** The same record with another sequence number. */
    public NodeRecord withSeq(long newSeq) {
        return new NodeRecord(peerId, rpcAddress, httpUrl, roles, models, software, newSeq, extensions);
    }

    /** The same record with one extension field set. */
    public NodeRecord withExtension(String key, BValue value) {
        TreeMap<String, BValue> x = new TreeMap<>(extensions);
        x.put(key, value);
        return new NodeRecord(peerId, rpcAddress, httpUrl, roles, models, software, seq, x);
    }
}
