package net.rhizome.inference.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import net.rhizome.inference.gguf.GgmlType;

/**
 * Scalar decoding of every supported encoding to floats, following ggml's reference formulas
 * (e.g. Q4_K: {@code w = d*sc*q - dmin*m}). Each weight is a fixed sequence of float operations,
 * so the fused vector kernels in {@link net.rhizome.inference.kernel.MatVec} compute the very same
 * values lane by lane.
 */
public final class Dequant {
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Dequant() {}

    /** Decodes row {@code r} of {@code w} into {@code out[oo .. oo + cols)}. */
    public static void row(WeightMatrix w, int r, float[] out, int oo) {
        decode(w.type(), w.data(), w.rowOffset(r), w.cols(), out, oo);
    }

    /** Decodes {@code n} elements of {@code type} starting at byte {@code off} of {@code seg}. */
    public static void decode(GgmlType type, MemorySegment seg, long off, int n, float[] out, int oo) {
        switch (type) {
            case F32 -> MemorySegment.copy(seg, FLOAT, off, out, oo, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = Float.float16ToFloat(seg.get(SHORT, off + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = Float.intBitsToFloat((seg.get(SHORT, off + 2L * i) & 0xFFFF) << 16);
                }
            }
            case Q8_0 -> q8_0(seg, off, n, out, oo);
            case Q4_0 -> q4_0(seg, off, n, out, oo);
            case Q4_K -> q4_k(seg, off, n, out, oo);
            case Q5_K -> q5_k(seg, off, n, out, oo);
            case Q6_K -> q6_k(seg, off, n, out, oo);
            default -> throw new IllegalArgumentException("tensor type " + type + " is not supported");
        }
    }

    static float f16(MemorySegment seg, long off) {
        return Float.float16ToFloat(seg.get(SHORT, off));
    }

    static int u8(MemorySegment seg, long off) {
        return seg.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    private static void q8_0(MemorySegment seg, long off, int n, float[] out, int oo) {
        for (int b = 0; b < n / 32; b++, off += 34) {
            float d = f16(seg, off);
            for (int j = 0; j < 32; j++) {
                out[oo + b * 32 + j] = d * seg.get(ValueLayout.JAVA_BYTE, off + 2 + j);
            }
        }
    }

    private static void q4_0(MemorySegment seg, long off, int n, float[] out, int oo) {
        for (int b = 0; b < n / 32; b++, off += 18) {
            float d = f16(seg, off);
            for (int j = 0; j < 16; j++) {
                int q = u8(seg, off + 2 + j);
                out[oo + b * 32 + j] = d * ((q & 0xF) - 8);
                out[oo + b * 32 + j + 16] = d * ((q >>> 4) - 8);
            }
        }
    }

    /**
     * Sub-block {@code j}'s scale {@code d·sc[j]} of the Q4_K/Q5_K super-block at {@code off} (d, dmin,
     * then 12 bytes of six-bit fields).
     */
    public static float kScale(MemorySegment seg, long off, int j) {
        return f16(seg, off) * sixBits(seg, off + 4, j, 0);
    }

    /** Sub-block {@code j}'s min {@code dmin·m[j]} of the Q4_K/Q5_K super-block at {@code off}. */
    public static float kMin(MemorySegment seg, long off, int j) {
        return f16(seg, off + 2) * sixBits(seg, off + 4, j, 4);
    }

    /**
     * Field {@code j} of the scales ({@code base} 0) or mins ({@code base} 4) in the 12 bytes at
     * {@code q}: fields 0-3 are the low six bits of bytes {@code base + j}; fields 4-7 are the low
     * (scales) or high (mins) nibble of byte {@code 4 + j} with the top two bits of byte
     * {@code base + j - 4} above it.
     */
    private static int sixBits(MemorySegment seg, long q, int j, int base) {
        if (j < 4) {
            return u8(seg, q + base + j) & 0x3F;
        }
        int packed = u8(seg, q + 4 + j);
        return (base == 0 ? packed & 0xF : packed >>> 4) | (u8(seg, q + base + j - 4) >>> 6) << 4;
    }

    private static void q4_k(MemorySegment seg, long off, int n, float[] out, int oo) {
        for (int b = 0; b < n / 256; b++, off += 144) {
            long qs = off + 16;
            int y = oo + b * 256;
            for (int j = 0; j < 4; j++) {
                float d1 = kScale(seg, off, 2 * j), m1 = kMin(seg, off, 2 * j);
                float d2 = kScale(seg, off, 2 * j + 1), m2 = kMin(seg, off, 2 * j + 1);
                for (int l = 0; l < 32; l++) {
                    int q = u8(seg, qs + 32 * j + l);
                    out[y + 64 * j + l] = d1 * (q & 0xF) - m1;
                    out[y + 64 * j + 32 + l] = d2 * (q >>> 4) - m2;
                }
            }
        }
    }

    private static void q5_k(MemorySegment seg, long off, int n, float[] out, int oo) {
        for (int b = 0; b < n / 256; b++, off += 176) {
            long qh = off + 16;
            long qs = off + 48;
            int y = oo + b * 256;
            for (int j = 0; j < 4; j++) {
                float d1 = kScale(seg, off, 2 * j), m1 = kMin(seg, off, 2 * j);
                float d2 = kScale(seg, off, 2 * j + 1), m2 = kMin(seg, off, 2 * j + 1);
                int u1 = 1 << (2 * j), u2 = 2 << (2 * j);
                for (int l = 0; l < 32; l++) {
                    int q = u8(seg, qs + 32 * j + l);
                    int h = u8(seg, qh + l);
                    out[y + 64 * j + l] = d1 * ((q & 0xF) + ((h & u1) != 0 ? 16 : 0)) - m1;
                    out[y + 64 * j + 32 + l] = d2 * ((q >>> 4) + ((h & u2) != 0 ? 16 : 0)) - m2;
                }
            }
        }
    }

    private static void q6_k(MemorySegment seg, long off, int n, float[] out, int oo) {
        for (int b = 0; b < n / 256; b++, off += 210) {
            float d = f16(seg, off + 208);
            int y = oo + b * 256;
            for (int half = 0; half < 2; half++) {
                long ql = off + 64L * half;
                long qh = off + 128 + 32L * half;
                long sc = off + 192 + 8L * half;
                int yh = y + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int a = u8(seg, ql + l), c = u8(seg, ql + l + 32), h = u8(seg, qh + l);
                    int q1 = ((a & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((c & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
                    int q3 = ((a >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                    int q4 = ((c >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                    out[yh + l] = d * seg.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                    out[yh + l + 32] = d * seg.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                    out[yh + l + 64] = d * seg.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                    out[yh + l + 96] = d * seg.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
                }
            }
        }
    }
}
