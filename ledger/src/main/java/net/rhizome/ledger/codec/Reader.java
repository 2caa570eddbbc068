package net.rhizome.ledger.codec;

import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;

/** Reads what {@link Writer} wrote; every read is bounds-checked and fails with a {@link DecodeException}. */
public final class Reader {
    private final byte[] buf;
    private int pos;
    private final String what;

    public Reader(byte[] buf, String what) {
        this.buf = buf;
        this.what = what;
    }

    private void need(int n, String field) throws DecodeException {
        if (n < 0 || buf.length - pos < n) {
            throw new DecodeException(what + ": truncated at byte " + pos + " reading " + field
                    + " (need " + n + ", have " + (buf.length - pos) + ")");
        }
    }

    public int u8(String field) throws DecodeException {
        need(1, field);
        return buf[pos++] & 0xFF;
    }

    public boolean bool(String field) throws DecodeException {
        int v = u8(field);
        if (v > 1) {
            throw new DecodeException(what + ": " + field + " must be 0 or 1, got " + v);
        }
        return v == 1;
    }

    public int u16(String field) throws DecodeException {
        need(2, field);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public long i64(String field) throws DecodeException {
        need(8, field);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    /** A non-negative amount or count. */
    public long amount(String field) throws DecodeException {
        long v = i64(field);
        if (v < 0) {
            throw new DecodeException(what + ": " + field + " must not be negative, got " + v);
        }
        return v;
    }

    public byte[] raw(int length, String field) throws DecodeException {
        need(length, field);
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + length);
        pos += length;
        return out;
    }

    public byte[] bytes(int maxLength, String field) throws DecodeException {
        int len = u16(field + " length");
        if (len > maxLength) {
            throw new DecodeException(what + ": " + field + " is " + len + " bytes, limit " + maxLength);
        }
        return raw(len, field);
    }

    public PeerId peer(String field) throws DecodeException {
        return PeerId.of(raw(PeerId.LENGTH, field));
    }

    public Hash32 hash(String field) throws DecodeException {
        return Hash32.of(raw(Hash32.LENGTH, field));
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return buf.length - pos;
    }

    public void expectEnd() throws DecodeException {
        if (pos != buf.length) {
            throw new DecodeException(what + ": " + (buf.length - pos) + " trailing bytes after byte " + pos);
        }
    }
}
