package net.rhizome.core.bencode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.rhizome.core.bencode.BValue.BBytes;
import net.rhizome.core.bencode.BValue.BDict;
import net.rhizome.core.bencode.BValue.BInt;
import net.rhizome.core.bencode.BValue.BList;

/**
 * Bencode codec (BEP 3) with hard limits: nesting depth, number of items, integer digits. Every
 * length is checked against the bytes actually present before anything is allocated, so a
 * "bencode bomb" fails fast with a {@link BencodeException} instead of exhausting memory.
 */
public final class Bencode {
    /** Limits for one decode call. */
    public record Limits(int maxDepth, int maxItems) {
        public static final Limits DEFAULT = new Limits(64, 1_000_000);
    }

    /** A decoded value and the offset just past it, for messages followed by raw payload (BEP 9). */
    public record Prefix(BValue value, int end) {}

    private Bencode() {}

    public static byte[] encode(BValue value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(value, out);
        return out.toByteArray();
    }

    /** Decodes exactly one value that must span the whole input. */
    public static BValue decode(byte[] data) {
        return decode(data, Limits.DEFAULT);
    }

    public static BValue decode(byte[] data, Limits limits) {
        Prefix p = decodePrefix(data, 0, limits);
        if (p.end != data.length) {
            throw new BencodeException("trailing data after value at offset " + p.end);
        }
        return p.value;
    }

    /** Decodes one value starting at {@code offset}; bytes after it are left to the caller. */
    public static Prefix decodePrefix(byte[] data, int offset, Limits limits) {
        Decoder d = new Decoder(data, offset, limits);
        BValue v = d.value(0);
        return new Prefix(v, d.pos);
    }

    /**
     * The byte range {@code [start, end)} of the value stored under {@code key} in the top-level
     * dictionary, as it appears in the input. Info-hashes are taken over these exact bytes.
     */
    public static int[] spanOf(byte[] data, String key) {
        Decoder d = new Decoder(data, 0, Limits.DEFAULT);
        d.expect('d');
        BBytes wanted = BBytes.of(key);
        while (d.peek() != 'e') {
            BBytes k = d.bytes();
            int start = d.pos;
            d.value(1);
            if (k.equals(wanted)) {
                return new int[] {start, d.pos};
            }
        }
        throw new BencodeException("missing key '" + key + "'");
    }

    private static void write(BValue value, ByteArrayOutputStream out) {
        switch (value) {
            case BInt i -> out.writeBytes(("i" + i.value() + "e").getBytes(StandardCharsets.US_ASCII));
            case BBytes b -> writeBytes(b.unsafeBytes(), out);
            case BList l -> {
                out.write('l');
                l.items().forEach(item -> write(item, out));
                out.write('e');
            }
            case BDict d -> {
                out.write('d');
                for (Map.Entry<BBytes, BValue> e : d.entries().entrySet()) {
                    writeBytes(e.getKey().unsafeBytes(), out);
                    write(e.getValue(), out);
                }
                out.write('e');
            }
        }
    }

    private static void writeBytes(byte[] b, ByteArrayOutputStream out) {
        out.writeBytes(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
        out.write(':');
        out.writeBytes(b);
    }

    private static final class Decoder {
        private final byte[] data;
        private final Limits limits;
        private int pos;
        private int items;

        Decoder(byte[] data, int offset, Limits limits) {
            this.data = data;
            this.pos = offset;
            this.limits = limits;
        }

        int peek() {
            if (pos >= data.length) {
                throw new BencodeException("unexpected end of input at offset " + pos);
            }
            return data[pos] & 0xff;
        }

        void expect(char c) {
            if (peek() != c) {
                throw new BencodeException("expected '" + c + "' at offset " + pos + ", got " + describe(peek()));
            }
            pos++;
        }

        BValue value(int depth) {
            if (depth > limits.maxDepth()) {
                throw new BencodeException("nesting deeper than " + limits.maxDepth() + " at offset " + pos);
            }
            if (++items > limits.maxItems()) {
                throw new BencodeException("more than " + limits.maxItems() + " values");
            }
            int c = peek();
            if (c == 'i') {
                return integer();
            } else if (c == 'l') {
                pos++;
                List<BValue> list = new ArrayList<>();
                while (peek() != 'e') {
                    list.add(value(depth + 1));
                }
                pos++;
                return new BList(list);
            } else if (c == 'd') {
                pos++;
                TreeMap<BBytes, BValue> map = new TreeMap<>();
                while (peek() != 'e') {
                    int keyAt = pos;
                    if (peek() < '0' || peek() > '9') {
                        throw new BencodeException("dictionary key at offset " + pos + " is not a byte string");
                    }
                    BBytes key = bytes();
                    if (map.put(key, value(depth + 1)) != null) {
                        throw new BencodeException("duplicate dictionary key at offset " + keyAt);
                    }
                }
                pos++;
                return new BDict(map);
            } else if (c >= '0' && c <= '9') {
                return bytes();
            }
            throw new BencodeException("unexpected " + describe(c) + " at offset " + pos);
        }

        BInt integer() {
            int start = pos;
            expect('i');
            boolean negative = peek() == '-';
            if (negative) {
                pos++;
            }
            int digitsStart = pos;
            while (peek() != 'e') {
                int d = peek();
                if (d < '0' || d > '9') {
                    throw new BencodeException("bad integer digit " + describe(d) + " at offset " + pos);
                }
                pos++;
                if (pos - digitsStart > 19) {
                    throw new BencodeException("integer at offset " + start + " has too many digits");
                }
            }
            int digits = pos - digitsStart;
            if (digits == 0) {
                throw new BencodeException("empty integer at offset " + start);
            }
            if (digits > 1 && data[digitsStart] == '0' || negative && data[digitsStart] == '0') {
                throw new BencodeException("non-canonical integer at offset " + start);
            }
            // Parse with the sign so that Long.MIN_VALUE, whose magnitude has no positive long, decodes.
            String text = new String(data, digitsStart - (negative ? 1 : 0), digits + (negative ? 1 : 0), StandardCharsets.US_ASCII);
            pos++;
            try {
                return new BInt(Long.parseLong(text));
            } catch (NumberFormatException e) {
                throw new BencodeException("integer at offset " + start + " does not fit in 64 bits");
            }
        }

        BBytes bytes() {
            int start = pos;
            long length = 0;
            while (peek() != ':') {
                int d = peek();
                if (d < '0' || d > '9') {
                    throw new BencodeException("bad string length digit " + describe(d) + " at offset " + pos);
                }
                length = length * 10 + (d - '0');
                if (length > data.length) {
                    throw new BencodeException("string at offset " + start + " is longer than the input");
                }
                pos++;
            }
            if (pos - start > 1 && data[start] == '0') {
                throw new BencodeException("non-canonical string length at offset " + start);
            }
            pos++;
            if (length > data.length - pos) {
                throw new BencodeException("string at offset " + start + " claims " + length + " bytes, only " + (data.length - pos) + " remain");
            }
            byte[] b = java.util.Arrays.copyOfRange(data, pos, pos + (int) length);
            pos += (int) length;
            return BBytes.wrap(b);
        }

        private static String describe(int c) {
            return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
        }
    }
}
