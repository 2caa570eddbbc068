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
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

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
     * The eight sub-block scales {@code d·sc[j]} into {@code out[0 .. 8)} and mins {@code dmin·m[j]}
     * into {@code out[8 .. 16)} of the Q4_K/Q5_K super-block at {@code off} (d, dmin, then 12 bytes of
     * six-bit fields). The fields are cut out four at a time from the little-endian words of those 12
     * bytes: sc[0..3] and m[0..3] are the low six bits of bytes 0-3 and 4-7; sc[4..7] and m[4..7] take
     * the low and high nibbles of bytes 8-11 with the top two bits of bytes 0-3 and 4-7 above them.
     */
    public static void kScalesAndMins(MemorySegment seg, long off, float[] out) {
        float d = f16(seg, off);
        float dmin = f16(seg, off + 2);
        int w0 = seg.get(INT, off + 4), w1 = seg.get(INT, off + 8), w2 = seg.get(INT, off + 12);
        int scales03 = w0 & 0x3F3F3F3F;
        int mins03 = w1 & 0x3F3F3F3F;
        int scales47 = (w2 & 0x0F0F0F0F) | (((w0 >>> 6) & 0x03030303) << 4);
        int mins47 = ((w2 >>> 4) & 0x0F0F0F0F) | (((w1 >>> 6) & 0x03030303) << 4);
        for (int j = 0; j < 4; j++) {
            out[j] = d * ((scales03 >>> 8 * j) & 0xFF);
            out[4 + j] = d * ((scales47 >>> 8 * j) & 0xFF);
            out[8 + j] = dmin * ((mins03 >>> 8 * j) & 0xFF);
            out[12 + j] = dmin * ((mins47 >>> 8 * j) & 0xFF);
        }
    }

    private static void q4_k(MemorySegment seg, long off, int n, float[] out, int oo) {
        float[] sm = new float[16];
        for (int b = 0; b < n / 256; b++, off += 144) {
            kScalesAndMins(seg, off, sm);
            long qs = off + 16;
            int y = oo + b * 256;
            for (int j = 0; j < 4; j++) {
                float d1 = sm[2 * j], m1 = sm[8 + 2 * j];
                float d2 = sm[2 * j + 1], m2 = sm[8 + 2 * j + 1];
                for (int l = 0; l < 32; l++) {
                    int q = u8(seg, qs + 32 * j + l);
                    out[y + 64 * j + l] = d1 * (q & 0xF) - m1;
                    out[y + 64 * j + 32 + l] = d2 * (q >>> 4) - m2;
                }
            }
        }
    }

    private static void q5_k(MemorySegment seg, long off, int n, float[] out, int oo) {
        float[] sm = new float[16];
        for (int b = 0; b < n / 256; b++, off += 176) {
            kScalesAndMins(seg, off, sm);
            long qh = off + 16;
            long qs = off + 48;
            int y = oo + b * 256;
            for (int j = 0; j < 4; j++) {
                float d1 = sm[2 * j], m1 = sm[8 + 2 * j];
                float d2 = sm[2 * j + 1], m2 = sm[8 + 2 * j + 1];
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
