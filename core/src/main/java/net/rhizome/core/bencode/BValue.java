package net.rhizome.core.bencode;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/** A bencoded value (BEP 3): integer, byte string, list or dictionary with byte-string keys. */
public sealed interface BValue permits BValue.BInt, BValue.BBytes, BValue.BList, BValue.BDict {

    /** Encodes this value canonically (dictionary keys in raw byte order). */
    default byte[] encode() {
        return Bencode.encode(this);
    }

    record BInt(long value) implements BValue {}

    /** A byte string; ordered as unsigned bytes, which is the order dictionary keys are sorted in. */
    final class BBytes implements BValue, Comparable<BBytes> {
        private final byte[] bytes;

        private BBytes(byte[] bytes) {
            this.bytes = bytes;
        }

        public static BBytes of(byte[] bytes) {
            return new BBytes(bytes.clone());
        }

        public static BBytes of(String utf8) {
            return new BBytes(utf8.getBytes(StandardCharsets.UTF_8));
        }

        static BBytes wrap(byte[] bytes) {
            return new BBytes(bytes);
        }

        public byte[] bytes() {
            return bytes.clone();
        }

        public int length() {
            return bytes.length;
        }

        public String utf8() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        byte[] unsafeBytes() {
            return bytes;
        }

        @Override
        public int compareTo(BBytes o) {
            return Arrays.compareUnsigned(bytes, o.bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BBytes other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "BBytes[" + (bytes.length <= 64 ? utf8() : bytes.length + " bytes") + "]";
        }
    }

    record BList(List<BValue> items) implements BValue {
        public BList {
            items = List.copyOf(items);
        }
    }

    /** A dictionary; keys are kept sorted so encoding is canonical. */
    record BDict(NavigableMap<BBytes, BValue> entries) implements BValue {
        public BDict {
            entries = Collections.unmodifiableNavigableMap(new TreeMap<>(entries));
        }

        public Optional<BValue> get(String key) {
            return Optional.ofNullable(entries.get(BBytes.of(key)));
        }

        /** The value at {@code key}, which must be present and of {@code type}; otherwise a clear error. */
        public <T extends BValue> T require(String key, Class<T> type) {
            BValue v = entries.get(BBytes.of(key));
            if (v == null) {
                throw new BencodeException("missing key '" + key + "'");
            }
            if (!type.isInstance(v)) {
                throw new BencodeException("key '" + key + "' must be " + typeName(type) + ", got " + typeName(v.getClass()));
            }
            return type.cast(v);
        }

        public <T extends BValue> Optional<T> optional(String key, Class<T> type) {
            BValue v = entries.get(BBytes.of(key));
            if (v == null) {
                return Optional.empty();
            }
            if (!type.isInstance(v)) {
                throw new BencodeException("key '" + key + "' must be " + typeName(type) + ", got " + typeName(v.getClass()));
            }
            return Optional.of(type.cast(v));
        }

        private static String typeName(Class<?> type) {
            if (type == BInt.class) return "an integer";
            if (type == BBytes.class) return "a byte string";
            if (type == BList.class) return "a list";
            if (type == BDict.class) return "a dictionary";
            return type.getSimpleName();
        }
    }

    static BInt integer(long value) {
        return new BInt(value);
    }

    static BBytes bytes(byte[] value) {
        return BBytes.of(value);
    }

    static BBytes string(String utf8) {
        return BBytes.of(utf8);
    }

    static BList list(BValue... items) {
        return new BList(List.of(items));
    }

    /** A dictionary from alternating string keys and values: {@code dict("a", x, "b", y)}. */
    static BDict dict(Object... keysAndValues) {
        if ((keysAndValues.length & 1) != 0) {
            throw new IllegalArgumentException("dict needs key/value pairs");
        }
        TreeMap<BBytes, BValue> map = new TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(BBytes.of((String) keysAndValues[i]), (BValue) keysAndValues[i + 1]);
        }
        return new BDict(map);
    }

    static BDict dict(Map<BBytes, BValue> entries) {
        return new BDict(new TreeMap<>(entries));
    }
}
