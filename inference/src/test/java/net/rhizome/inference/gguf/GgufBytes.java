package net.rhizome.inference.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.lang.foreign.MemorySegment;

/** Builds GGUF images byte by byte, so tests can write valid and deliberately broken files. */
final class GgufBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static GgufBytes header(int version, long tensorCount, long kvCount) {
        return new GgufBytes().raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(version).u64(tensorCount).u64(kvCount);
    }

    GgufBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    GgufBytes u8(int v) {
        out.write(v);
        return this;
    }

    GgufBytes u32(int v) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    GgufBytes u64(long v) {
        return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    GgufBytes f32(float v) {
        return u32(Float.floatToRawIntBits(v));
    }

    GgufBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).raw(b);
    }

    GgufBytes kvString(String key, String value) {
        return str(key).u32(GgufFile.ValueType.STRING).str(value);
    }

    GgufBytes kvU32(String key, int value) {
        return str(key).u32(GgufFile.ValueType.UINT32).u32(value);
    }

    GgufBytes kvF32(String key, float value) {
        return str(key).u32(GgufFile.ValueType.FLOAT32).f32(value);
    }

    GgufBytes kvStrings(String key, String... values) {
        str(key).u32(GgufFile.ValueType.ARRAY).u32(GgufFile.ValueType.STRING).u64(values.length);
        for (String v : values) {
            str(v);
        }
        return this;
    }

    GgufBytes kvInts(String key, int... values) {
        str(key).u32(GgufFile.ValueType.ARRAY).u32(GgufFile.ValueType.INT32).u64(values.length);
        for (int v : values) {
            u32(v);
        }
        return this;
    }

    GgufBytes kvFloats(String key, float... values) {
        str(key).u32(GgufFile.ValueType.ARRAY).u32(GgufFile.ValueType.FLOAT32).u64(values.length);
        for (float v : values) {
            f32(v);
        }
        return this;
    }

    GgufBytes tensorInfo(String name, GgmlType type, long offset, long... dims) {
        str(name).u32(dims.length);
        for (long d : dims) {
            u64(d);
        }
        return u32(type.id()).u64(offset);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    GgufBytes pad(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    GgufBytes zeros(int n) {
        return raw(new byte[n]);
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    GgufFile parse() {
        return GgufFile.of(MemorySegment.ofArray(bytes()));
    }
}
