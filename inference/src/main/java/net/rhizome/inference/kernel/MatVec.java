package net.rhizome.inference.kernel;

import static net.rhizome.inference.kernel.VectorWidth.F;
import static net.rhizome.inference.kernel.VectorWidth.K;
import static net.rhizome.inference.kernel.VectorWidth.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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
    /** Byte species for one float vector's worth of quants: L bytes (64 bits, masked to 4 lanes, when L is 4). */
    private static final VectorSpecies<Byte> BL = L <= 8 ? ByteVector.SPECIES_64 : ByteVector.SPECIES_128;
    private static final VectorMask<Byte> FIRST_L = BL.indexInRange(0, L);
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
                    for (int j = 0; j < 32; j += L) {
                        floats(bytes(seg, off + 2 + j)).mul(d).intoArray(out, oo + b * 32 + j);
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < n / 32; b++, off += 18) {
                    FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, off)));
                    for (int j = 0; j < 16; j += L) {
                        ByteVector raw = bytes(seg, off + 2 + j);
                        floats(raw.and((byte) 0x0F).sub((byte) 8)).mul(d).intoArray(out, oo + b * 32 + j);
                        floats(raw.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).mul(d).intoArray(out, oo + b * 32 + 16 + j);
                    }
                }
            }
            case Q4_K -> {
                for (int b = 0; b < n / 256; b++, off += 144) {
                    float d = Float.float16ToFloat(seg.get(SHORT, off));
                    float dmin = Float.float16ToFloat(seg.get(SHORT, off + 2));
                    for (int j = 0; j < 8; j++) {
                        FloatVector dv = FloatVector.broadcast(F, d * Dequant.kScale(seg, off + 4, j));
                        FloatVector mv = FloatVector.broadcast(F, dmin * Dequant.kMin(seg, off + 4, j));
                        for (int e = 0; e < 32; e += L) {
                            ByteVector raw = bytes(seg, off + 16 + 32 * (j / 2) + e);
                            dv.mul(floats(nibbles(raw, j & 1))).sub(mv).intoArray(out, oo + b * 256 + j * 32 + e);
                        }
                    }
                }
            }
            default -> Dequant.row(w, r, out, oo);
        }
    }

    /** L quant bytes at {@code off}. Kept under C2's 35-byte inlining limit for cold call sites: a vector helper that is not inlined boxes its result. */
    private static ByteVector bytes(MemorySegment seg, long off) {
        return L == 4 ? masked(seg, off) : ByteVector.fromMemorySegment(BL, seg, off, LE);
    }

    private static ByteVector masked(MemorySegment seg, long off) {
        return ByteVector.fromMemorySegment(BL, seg, off, LE, FIRST_L);
    }

    /** The first L bytes as floats: one widening conversion (vpmovsxbd + vcvtdq2ps on AVX2). */
    private static FloatVector floats(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
    }

    private static FloatVector xv(float[] x, int i) {
        return FloatVector.fromArray(F, x, i);
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
        // the stores stay in each kernel: handing the vectors to a helper C2 declines to inline boxes them
        float[] lanes = new float[Dot.LANES];
        a0.intoArray(lanes, 0);
        if (K >= 2) {
            a1.intoArray(lanes, L);
        }
        if (K == 4) {
            a2.intoArray(lanes, 2 * L);
            a3.intoArray(lanes, 3 * L);
        }
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
                long q = off + 2 + 16 * g;
                int i = xo + b * 32 + g * 16;
                a0 = floats(bytes(seg, q)).mul(d).fma(xv(x, i), a0);
                if (K >= 2) {
                    a1 = floats(bytes(seg, q + L)).mul(d).fma(xv(x, i + L), a1);
                }
                if (K == 4) {
                    a2 = floats(bytes(seg, q + 2 * L)).mul(d).fma(xv(x, i + 2 * L), a2);
                    a3 = floats(bytes(seg, q + 3 * L)).mul(d).fma(xv(x, i + 3 * L), a3);
                }
            }
        }
        // the stores stay in each kernel: handing the vectors to a helper C2 declines to inline boxes them
        float[] lanes = new float[Dot.LANES];
        a0.intoArray(lanes, 0);
        if (K >= 2) {
            a1.intoArray(lanes, L);
        }
        if (K == 4) {
            a2.intoArray(lanes, 2 * L);
            a3.intoArray(lanes, 3 * L);
        }
        return Dot.tree(lanes);
    }

    /**
     * Low ({@code high == 0}) or high nibbles of {@code raw}, as unsigned values 0..15. A shift by a
     * variable count, not a branch between two vector expressions: C2 boxed the vectors merged by such a branch.
     */
    private static ByteVector nibbles(ByteVector raw, int high) {
        return raw.lanewise(VectorOperators.LSHR, 4 * high).and((byte) 0x0F);
    }

    /** Q4_0 quants minus 8 of the low nibbles of {@code raw} (elements {@code j} of a block). */
    private static ByteVector low(ByteVector raw) {
        return raw.and((byte) 0x0F).sub((byte) 8);
    }

    /** Q4_0 quants minus 8 of the high nibbles of {@code raw} (elements {@code 16 + j}). */
    private static ByteVector high(ByteVector raw) {
        return raw.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
    }

    // Q4_0 byte j of a block holds element j (low nibble) and 16 + j (high nibble): both land in lane j,
    // low first. The two nibbles are written out rather than chosen by a branch, which C2 compiled to boxed vectors.
    private static float q4_0(MemorySegment seg, long off, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 32; b++, off += 18) {
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, off)));
            int i = xo + b * 32;
            ByteVector r = bytes(seg, off + 2);
            a0 = floats(low(r)).mul(d).fma(xv(x, i), a0);
            a0 = floats(high(r)).mul(d).fma(xv(x, i + 16), a0);
            if (K >= 2) {
                r = bytes(seg, off + 2 + L);
                a1 = floats(low(r)).mul(d).fma(xv(x, i + L), a1);
                a1 = floats(high(r)).mul(d).fma(xv(x, i + 16 + L), a1);
            }
            if (K == 4) {
                r = bytes(seg, off + 2 + 2 * L);
                a2 = floats(low(r)).mul(d).fma(xv(x, i + 2 * L), a2);
                a2 = floats(high(r)).mul(d).fma(xv(x, i + 16 + 2 * L), a2);
                r = bytes(seg, off + 2 + 3 * L);
                a3 = floats(low(r)).mul(d).fma(xv(x, i + 3 * L), a3);
                a3 = floats(high(r)).mul(d).fma(xv(x, i + 16 + 3 * L), a3);
            }
        }
        // the stores stay in each kernel: handing the vectors to a helper C2 declines to inline boxes them
        float[] lanes = new float[Dot.LANES];
        a0.intoArray(lanes, 0);
        if (K >= 2) {
            a1.intoArray(lanes, L);
        }
        if (K == 4) {
            a2.intoArray(lanes, 2 * L);
            a3.intoArray(lanes, 3 * L);
        }
        return Dot.tree(lanes);
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
                int half = j & 1;
                for (int g = 0; g < 2; g++) {
                    long q = off + 16 + 32 * (j / 2) + 16 * g;
                    int i = xo + b * 256 + j * 32 + g * 16;
                    a0 = dv.mul(floats(nibbles(bytes(seg, q), half))).sub(mv).fma(xv(x, i), a0);
                    if (K >= 2) {
                        a1 = dv.mul(floats(nibbles(bytes(seg, q + L), half))).sub(mv).fma(xv(x, i + L), a1);
                    }
                    if (K == 4) {
                        a2 = dv.mul(floats(nibbles(bytes(seg, q + 2 * L), half))).sub(mv).fma(xv(x, i + 2 * L), a2);
                        a3 = dv.mul(floats(nibbles(bytes(seg, q + 3 * L), half))).sub(mv).fma(xv(x, i + 3 * L), a3);
                    }
                }
            }
        }
        // the stores stay in each kernel: handing the vectors to a helper C2 declines to inline boxes them
        float[] lanes = new float[Dot.LANES];
        a0.intoArray(lanes, 0);
        if (K >= 2) {
            a1.intoArray(lanes, L);
        }
        if (K == 4) {
            a2.intoArray(lanes, 2 * L);
            a3.intoArray(lanes, 3 * L);
        }
        return Dot.tree(lanes);
    }

    /** Six-bit Q6_K quants (minus 32) of L weights: 4 bits from {@code ql}, 2 from {@code qh}, quarter {@code k} choosing which. */
    private static FloatVector q6(MemorySegment seg, long ql, long qh, int k) {
        ByteVector nib = nibbles(bytes(seg, ql), k >> 1);
        ByteVector top = bytes(seg, qh).lanewise(VectorOperators.LSHR, 2 * k).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
        return floats(nib.or(top).sub((byte) 32));
    }

    private static float q6_k(MemorySegment seg, long off, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 256; b++, off += 210) {
            float d = Float.float16ToFloat(seg.get(SHORT, off + 208));
            for (int half = 0; half < 2; half++) {
                long sc = off + 192 + 8L * half;
                // 16-weight groups in index order: k selects the quarter (low/high nibble, shift of qh), lg the half of it
                for (int k = 0; k < 4; k++) {
                    for (int lg = 0; lg < 2; lg++) {
                        long ql = off + 64L * half + 32 * (k & 1) + 16 * lg;
                        long qh = off + 128 + 32L * half + 16 * lg;
                        FloatVector dv = FloatVector.broadcast(F, d * seg.get(ValueLayout.JAVA_BYTE, sc + lg + 2 * k));
                        int i = xo + b * 256 + 128 * half + 32 * k + 16 * lg;
                        a0 = dv.mul(q6(seg, ql, qh, k)).fma(xv(x, i), a0);
                        if (K >= 2) {
                            a1 = dv.mul(q6(seg, ql + L, qh + L, k)).fma(xv(x, i + L), a1);
                        }
                        if (K == 4) {
                            a2 = dv.mul(q6(seg, ql + 2 * L, qh + 2 * L, k)).fma(xv(x, i + 2 * L), a2);
                            a3 = dv.mul(q6(seg, ql + 3 * L, qh + 3 * L, k)).fma(xv(x, i + 3 * L), a3);
                        }
                    }
                }
            }
        }
        // the stores stay in each kernel: handing the vectors to a helper C2 declines to inline boxes them
        float[] lanes = new float[Dot.LANES];
        a0.intoArray(lanes, 0);
        if (K >= 2) {
            a1.intoArray(lanes, L);
        }
        if (K == 4) {
            a2.intoArray(lanes, 2 * L);
            a3.intoArray(lanes, 3 * L);
        }
        return Dot.tree(lanes);
    }
}
