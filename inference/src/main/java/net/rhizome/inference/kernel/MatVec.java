package net.rhizome.inference.kernel;

import static net.rhizome.inference.kernel.VectorWidth.F;
import static net.rhizome.inference.kernel.VectorWidth.K;
import static net.rhizome.inference.kernel.VectorWidth.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import net.rhizome.inference.quant.Dequant;
import net.rhizome.inference.quant.WeightMatrix;

/**
 * Row-times-vector products of weight matrices: {@code dot(dequant(row), x)} in the canonical
 * order of {@link Dot}. Common encodings have fused kernels that decode 16 weights at a time in
 * registers with the same float operations as {@link Dequant}; the rest decode the row first.
 * Both routes give identical bits; the fused ones just skip the round trip through memory.
 */
public final class MatVec {
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private MatVec() {}

    /** {@code row r of w} · {@code x[xo .. xo + cols)}; {@code scratch} holds at least cols floats. */
    public static float dot(WeightMatrix w, int r, float[] x, int xo, float[] scratch) {
        if (!VectorWidth.SCALAR) {
            MemorySegment seg = w.data();
            long off = w.rowOffset(r);
            int n = w.cols();
            switch (w.type()) {
                case F32 -> {
                    return f32(seg, off, x, xo, n);
                }
                case Q8_0 -> {
                    return q8_0(seg, off, x, xo, n);
                }
                case Q4_0 -> {
                    return q4_0(seg, off, x, xo, n);
                }
                case Q4_K -> {
                    return q4_k(seg, off, x, xo, n);
                }
                case Q6_K -> {
                    return q6_k(seg, off, x, xo, n);
                }
                default -> { }
            }
        }
        Dequant.row(w, r, scratch, 0);
        return Dot.dot(scratch, 0, x, xo, w.cols());
    }

    /** Decodes row {@code r} of {@code w} into {@code out[oo ..]}: the same floats as {@link Dequant#row}, vectorised where it can be. */
    public static void dequantRow(WeightMatrix w, int r, float[] out, int oo) {
        if (VectorWidth.SCALAR) {
            Dequant.row(w, r, out, oo);
            return;
        }
        MemorySegment seg = w.data();
        long off = w.rowOffset(r);
        int n = w.cols();
        switch (w.type()) {
            case Q8_0 -> {
                for (int b = 0; b < n / 32; b++, off += 34) {
                    FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, off)));
                    for (int g = 0; g < 2; g++) {
                        ByteVector q = ByteVector.fromMemorySegment(B16, seg, off + 2 + 16 * g, LE);
                        store16(q, d, null, out, oo + b * 32 + g * 16);
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < n / 32; b++, off += 18) {
                    FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, off)));
                    ByteVector raw = ByteVector.fromMemorySegment(B16, seg, off + 2, LE);
                    store16(raw.and((byte) 0x0F).sub((byte) 8), d, null, out, oo + b * 32);
                    store16(raw.lanewise(VectorOperators.LSHR, 4).sub((byte) 8), d, null, out, oo + b * 32 + 16);
                }
            }
            case Q4_K -> {
                for (int b = 0; b < n / 256; b++, off += 144) {
                    float d = Float.float16ToFloat(seg.get(SHORT, off));
                    float dmin = Float.float16ToFloat(seg.get(SHORT, off + 2));
                    for (int j = 0; j < 8; j++) {
                        FloatVector dv = FloatVector.broadcast(F, d * Dequant.kScale(seg, off + 4, j));
                        FloatVector mv = FloatVector.broadcast(F, dmin * Dequant.kMin(seg, off + 4, j));
                        for (int g = 0; g < 2; g++) {
                            ByteVector raw = ByteVector.fromMemorySegment(B16, seg, off + 16 + 32 * (j / 2) + 16 * g, LE);
                            ByteVector q = (j & 1) == 0 ? raw.and((byte) 0x0F) : raw.lanewise(VectorOperators.LSHR, 4);
                            store16(q, dv, mv, out, oo + b * 256 + j * 32 + g * 16);
                        }
                    }
                }
            }
            default -> Dequant.row(w, r, out, oo);
        }
    }

    /** Writes {@code d * q} (or {@code d * q - m}) for 16 quants as floats, lane by lane as {@link Dequant} computes them. */
    private static void store16(ByteVector q, FloatVector d, FloatVector m, float[] out, int o) {
        for (int p = 0; p < K; p++) {
            FloatVector v = d.mul(part(q, p));
            (m == null ? v : v.sub(m)).intoArray(out, o + p * L);
        }
    }

    private static FloatVector part(ByteVector b, int p) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, p);
    }

    private static FloatVector xv(float[] x, int i) {
        return FloatVector.fromArray(F, x, i);
    }

    private static float finish(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        float[] lanes = new float[Dot.LANES];
        Dot.store(a0, a1, a2, a3, lanes);
        return Dot.tree(lanes);
    }

    private static float f32(MemorySegment seg, long off, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int groups = n / Dot.LANES;
        for (int g = 0; g < groups; g++) {
            int i = g * Dot.LANES;
            long o = off + 4L * i;
            a0 = FloatVector.fromMemorySegment(F, seg, o, LE).fma(xv(x, xo + i), a0);
            if (K >= 2) {
                a1 = FloatVector.fromMemorySegment(F, seg, o + 4L * L, LE).fma(xv(x, xo + i + L), a1);
            }
            if (K == 4) {
                a2 = FloatVector.fromMemorySegment(F, seg, o + 8L * L, LE).fma(xv(x, xo + i + 2 * L), a2);
                a3 = FloatVector.fromMemorySegment(F, seg, o + 12L * L, LE).fma(xv(x, xo + i + 3 * L), a3);
            }
        }
        float[] lanes = new float[Dot.LANES];
        Dot.store(a0, a1, a2, a3, lanes);
        for (int i = groups * Dot.LANES; i < n; i++) {
            lanes[i & 15] = Math.fma(seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, off + 4L * i), x[xo + i], lanes[i & 15]);
        }
        return Dot.tree(lanes);
    }

    private static float q8_0(MemorySegment seg, long off, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 32; b++, off += 34) {
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, off)));
            for (int g = 0; g < 2; g++) {
                ByteVector q = ByteVector.fromMemorySegment(B16, seg, off + 2 + 16 * g, LE);
                int i = xo + b * 32 + g * 16;
                a0 = part(q, 0).mul(d).fma(xv(x, i), a0);
                if (K >= 2) {
                    a1 = part(q, 1).mul(d).fma(xv(x, i + L), a1);
                }
                if (K == 4) {
                    a2 = part(q, 2).mul(d).fma(xv(x, i + 2 * L), a2);
                    a3 = part(q, 3).mul(d).fma(xv(x, i + 3 * L), a3);
                }
            }
        }
        return finish(a0, a1, a2, a3);
    }

    private static float q4_0(MemorySegment seg, long off, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 32; b++, off += 18) {
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, off)));
            ByteVector raw = ByteVector.fromMemorySegment(B16, seg, off + 2, LE);
            for (int g = 0; g < 2; g++) {
                ByteVector q = (g == 0 ? raw.and((byte) 0x0F) : raw.lanewise(VectorOperators.LSHR, 4)).sub((byte) 8);
                int i = xo + b * 32 + g * 16;
                a0 = part(q, 0).mul(d).fma(xv(x, i), a0);
                if (K >= 2) {
                    a1 = part(q, 1).mul(d).fma(xv(x, i + L), a1);
                }
                if (K == 4) {
                    a2 = part(q, 2).mul(d).fma(xv(x, i + 2 * L), a2);
                    a3 = part(q, 3).mul(d).fma(xv(x, i + 3 * L), a3);
                }
            }
        }
        return finish(a0, a1, a2, a3);
    }

    private static float q4_k(MemorySegment seg, long off, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 256; b++, off += 144) {
            float d = Float.float16ToFloat(seg.get(SHORT, off));
            float dmin = Float.float16ToFloat(seg.get(SHORT, off + 2));
            long sc = off + 4;
            for (int j = 0; j < 8; j++) { // sub-block j: 32 weights, nibbles of bytes 32*(j/2) .. +32
                FloatVector dv = FloatVector.broadcast(F, d * Dequant.kScale(seg, sc, j));
                FloatVector mv = FloatVector.broadcast(F, dmin * Dequant.kMin(seg, sc, j));
                for (int g = 0; g < 2; g++) {
                    ByteVector raw = ByteVector.fromMemorySegment(B16, seg, off + 16 + 32 * (j / 2) + 16 * g, LE);
                    ByteVector q = (j & 1) == 0 ? raw.and((byte) 0x0F) : raw.lanewise(VectorOperators.LSHR, 4);
                    int i = xo + b * 256 + j * 32 + g * 16;
                    a0 = dv.mul(part(q, 0)).sub(mv).fma(xv(x, i), a0);
                    if (K >= 2) {
                        a1 = dv.mul(part(q, 1)).sub(mv).fma(xv(x, i + L), a1);
                    }
                    if (K == 4) {
                        a2 = dv.mul(part(q, 2)).sub(mv).fma(xv(x, i + 2 * L), a2);
                        a3 = dv.mul(part(q, 3)).sub(mv).fma(xv(x, i + 3 * L), a3);
                    }
                }
            }
        }
        return finish(a0, a1, a2, a3);
    }

    private static float q6_k(MemorySegment seg, long off, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 256; b++, off += 210) {
            float d = Float.float16ToFloat(seg.get(SHORT, off + 208));
            for (int half = 0; half < 2; half++) {
                long ql = off + 64L * half;
                long qh = off + 128 + 32L * half;
                long sc = off + 192 + 8L * half;
                // 16-weight groups in index order: k selects the quarter (low/high nibble, shift of qh), lg the half of it
                for (int k = 0; k < 4; k++) {
                    for (int lg = 0; lg < 2; lg++) {
                        ByteVector lo = ByteVector.fromMemorySegment(B16, seg, ql + 32 * (k & 1) + 16 * lg, LE);
                        ByteVector hi = ByteVector.fromMemorySegment(B16, seg, qh + 16 * lg, LE);
                        ByteVector nib = k < 2 ? lo.and((byte) 0x0F) : lo.lanewise(VectorOperators.LSHR, 4);
                        ByteVector top = hi.lanewise(VectorOperators.LSHR, 2 * k).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
                        ByteVector q = nib.or(top).sub((byte) 32);
                        FloatVector dv = FloatVector.broadcast(F, d * seg.get(ValueLayout.JAVA_BYTE, sc + lg + 2 * k));
                        int i = xo + b * 256 + 128 * half + 32 * k + 16 * lg;
                        a0 = dv.mul(part(q, 0)).fma(xv(x, i), a0);
                        if (K >= 2) {
                            a1 = dv.mul(part(q, 1)).fma(xv(x, i + L), a1);
                        }
                        if (K == 4) {
                            a2 = dv.mul(part(q, 2)).fma(xv(x, i + 2 * L), a2);
                            a3 = dv.mul(part(q, 3)).fma(xv(x, i + 3 * L), a3);
                        }
                    }
                }
            }
        }
        return finish(a0, a1, a2, a3);
    }
}
