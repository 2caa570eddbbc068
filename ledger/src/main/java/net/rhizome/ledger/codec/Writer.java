package net.rhizome.ledger.codec;

import java.util.Arrays;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;

/** Builds a canonical big-endian encoding: fixed-width integers, length-prefixed byte strings. */
public final class Writer {
    private byte[] buf;
    private int size;

    public Writer() {
        this(128);
    }

    public Writer(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    public Writer u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public Writer bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    public Writer u16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    public Writer i64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    /** Fixed-length bytes whose length the reader knows (keys, hashes, signatures). */
    public Writer raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    /** Variable-length bytes with a 16-bit length prefix. */
    public Writer bytes(byte[] bytes) {
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("byte string too long to encode: " + bytes.length);
        }
        u16(bytes.length);
        return raw(bytes);
    }

    public Writer peer(PeerId id) {
        return raw(id.bytes());
    }

    public Writer hash(Hash32 h) {
        return raw(h.bytes());
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
