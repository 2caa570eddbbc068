package net.rhizome.net.record;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BValue.BBytes;
import net.rhizome.core.bencode.BValue.BDict;
import net.rhizome.core.bencode.BValue.BList;
import net.rhizome.core.bencode.BencodeException;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.core.util.Hex;

/**
 * The compact bencoded form of a {@link NodeRecord}, the value of a BEP 44 mutable item (at most
 * 1000 bytes): {@code a} RPC address, {@code h} HTTP URL, {@code r} roles, {@code m} model
 * info-hashes concatenated as raw 32-byte strings, {@code s} software version; every other key
 * is an extension. The peer id and sequence number are not repeated inside: they are the item's
 * key and seq.
 */
public final class NodeRecordCodec {
    public static final Set<String> RESERVED_KEYS = Set.of("a", "h", "r", "m", "s");
    private static final int MODEL_ID_BYTES = 32;
    private static final int MAX_ROLES = 8;
    private static final int MAX_TEXT = 200;

    private NodeRecordCodec() {}

    public static BDict encode(NodeRecord record) {
        TreeMap<BBytes, BValue> m = new TreeMap<>();
        record.extensions().forEach((k, v) -> m.put(BBytes.of(k), v));
        m.put(BBytes.of("a"), BValue.string(record.rpcAddress()));
        m.put(BBytes.of("h"), BValue.string(record.httpUrl()));
        m.put(BBytes.of("r"), new BList(record.roles().stream().<BValue>map(BValue::string).toList()));
        ByteArrayOutputStream models = new ByteArrayOutputStream();
        record.models().forEach(id -> models.writeBytes(Hex.decode(id)));
        m.put(BBytes.of("m"), BValue.bytes(models.toByteArray()));
        m.put(BBytes.of("s"), BValue.string(record.software()));
        return BValue.dict(m);
    }

    /** Decodes a record value; any malformed field is a {@link BencodeException} naming it. */
    public static NodeRecord decode(PeerId peerId, long seq, BValue value) {
        if (!(value instanceof BDict d)) {
            throw new BencodeException("node record must be a dictionary");
        }
        List<String> roles = new ArrayList<>();
        for (BValue r : d.require("r", BList.class).items()) {
            if (!(r instanceof BBytes b)) {
                throw new BencodeException("node record role must be a string");
            }
            roles.add(b.utf8());
        }
        byte[] models = d.require("m", BBytes.class).bytes();
        if (models.length % MODEL_ID_BYTES != 0) {
            throw new BencodeException("node record model list has " + models.length + " bytes, not a multiple of 32");
        }
        List<String> modelIds = new ArrayList<>();
        for (int off = 0; off < models.length; off += MODEL_ID_BYTES) {
            modelIds.add(Hex.encode(Arrays.copyOfRange(models, off, off + MODEL_ID_BYTES)));
        }
        TreeMap<String, BValue> extensions = new TreeMap<>();
        for (Map.Entry<BBytes, BValue> e : d.entries().entrySet()) {
            String key = e.getKey().utf8();
            if (!RESERVED_KEYS.contains(key)) {
                extensions.put(key, e.getValue());
            }
        }
        try {
            return new NodeRecord(peerId, d.require("a", BBytes.class).utf8(), d.require("h", BBytes.class).utf8(),
                    new java.util.TreeSet<>(roles), modelIds, d.require("s", BBytes.class).utf8(), seq, extensions);
        } catch (IllegalArgumentException e) {
            throw new BencodeException("invalid node record: " + e.getMessage());
        }
    }

    static void validate(String rpcAddress, String httpUrl, Set<String> roles, List<String> models, String software,
            Map<String, BValue> extensions) {
        text("rpc address", rpcAddress, false);
        text("http url", httpUrl, true);
        text("software version", software, false);
        if (roles.size() > MAX_ROLES) {
            throw new IllegalArgumentException("at most " + MAX_ROLES + " roles, got " + roles.size());
        }
        for (String role : roles) {
            if (!role.matches("[a-z][a-z0-9-]{0,15}")) {
                throw new IllegalArgumentException("role '" + role + "' must be 1-16 lower-case letters, digits or '-'");
            }
        }
        for (String model : models) {
            if (!model.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("model id '" + model + "' must be 64 lower-case hex characters");
            }
        }
        for (String key : extensions.keySet()) {
            if (RESERVED_KEYS.contains(key) || key.isEmpty() || key.length() > 16) {
                throw new IllegalArgumentException("extension key '" + key + "' must be 1-16 characters and not one of " + RESERVED_KEYS);
            }
        }
    }

    private static void text(String what, String value, boolean mayBeEmpty) {
        if (value == null || (!mayBeEmpty && value.isEmpty()) || value.length() > MAX_TEXT) {
            throw new IllegalArgumentException(what + " must be " + (mayBeEmpty ? "" : "non-empty and ") + "at most " + MAX_TEXT + " characters");
        }
    }
}
