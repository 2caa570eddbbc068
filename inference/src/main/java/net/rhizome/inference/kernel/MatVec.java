package net.rhizome.inference.kernel;

import static net.rhizome.inference.kernel.VectorWidth.F;
import static net.rhizome.inference.kernel.VectorWidth.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.quant.Dequant;
import net.rhizome.inference.quant.SplitBlocks;
import net.rhizome.inference.quant.WeightMatrix;

/**
 * Row-times-vector products of weight matrices: {@code dot(dequant(row), x)} in the canonical
 * order of {@link Dot}. Common encodings have fused kernels that decode one vector of weights at a time in
 * registers with the same float operations as {@link Dequant}; the rest decode the row first.
 * Both routes give identical bits; the fused ones just skip the round trip through memory.
 */
public final class MatVec {
    /** Byte species for one float vector's worth of quants: L bytes (64 bits, masked to 4 lanes, when L is 4). */
    private static final VectorSpecies<Byte> BL = L <= 8 ? ByteVector.SPECIES_64 : ByteVector.SPECIES_128;
    private static final VectorMask<Byte> FIRST_L = BL.indexInRange(0, L);
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    /** Vectors per pass: {@link Dot#PASS_VECTORS}, 2 or 4. */
    private static final int V = Dot.PASS_VECTORS;
    private static final java.util.Set<GgmlType> FUSED = java.util.EnumSet.of(GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

    private MatVec() {}

    /**
     * {@code row r of w} · {@code x[xo .. xo + cols)}. {@code scratch} holds at least cols floats and
     * {@code lanes} {@link Dot#LANES}; both are overwritten (callers keep one of each per thread, so
     * a decode step allocates nothing per row).
     */
    public static float dot(WeightMatrix w, int r, float[] x, int xo, float[] scratch, float[] lanes) {
        if (!VectorWidth.SCALAR && FUSED.contains(w.type()) && !lacksSplit(w)) {
            MemorySegment seg = w.data();
            long off = w.rowOffset(r);
            int n = w.cols();
            switch (w.type()) {
                case Q5_K -> q5_k(seg, off, x, xo, n, lanes, scratch);
                case Q6_K -> q6_k(seg, off, x, xo, n, lanes, scratch);
                case Q8_0, Q4_0 -> {
                    SplitBlocks blocks = w.split();
                    passes(w.type(), blocks.quants(), blocks.quantOffset(r, n), blocks.scales(), blocks.scaleOffset(r, n), x, xo, n, lanes, scratch);
                }
                default -> passes(w.type(), seg, off, null, 0, x, xo, n, lanes, scratch);
            }
            for (int i = n / Dot.LANES * Dot.LANES; i < n; i++) { // only F32 rows have a tail
                lanes[i & (Dot.LANES - 1)] = Math.fma(seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, off + 4L * i), x[xo + i], lanes[i & (Dot.LANES - 1)]);
            }
            return Dot.tree(lanes);
        }
        Dequant.row(w, r, scratch, 0);
        return Dot.dot(scratch, 0, x, xo, w.cols(), lanes);
    }

    /**
     * The kernels that keep one pass of lanes in registers, {@link Dot#PASS_LANES} lanes per call.
     * Q8_0 and Q4_0 read their {@link SplitBlocks}: {@code seg}/{@code off} address the quants and
     * {@code scales}/{@code so} the scales; the other types read the GGUF row at {@code off}.
     */
    private static void passes(GgmlType type, MemorySegment seg, long off, MemorySegment scales, long so, float[] x, int xo, int n, float[] lanes, float[] scratch) {
        for (int from = 0; from < Dot.LANES; from += Dot.PASS_LANES) {
            switch (type) {
                case F32 -> f32(seg, off, x, xo, n, from, lanes);
                case Q8_0 -> q8_0(seg, off, scales, so, x, xo, n, from, lanes);
                case Q4_0 -> q4_0(seg, off, scales, so, x, xo, n, from, lanes);
                case Q4_K -> q4_k(seg, off, x, xo, n, from, lanes, scratch);
                default -> throw new IllegalStateException("no fused kernel for " + type);
            }
        }
    }

    /** A Q8_0/Q4_0 matrix made without its split copy (read a row at a time): its products take the decoding route. */
    private static boolean lacksSplit(WeightMatrix w) {
        return w.split() == null && SplitBlocks.applies(w.type());
    }

    /** Decodes row {@code r} of {@code w} into {@code out[oo ..]}: the same floats as {@link Dequant#row}, vectorised where it can be. */
    public static void dequantRow(WeightMatrix w, int r, float[] out, int oo) {
        if (VectorWidth.SCALAR || lacksSplit(w)) {
            Dequant.row(w, r, out, oo);
            return;
        }
        MemorySegment seg = w.data();
        long off = w.rowOffset(r);
        int n = w.cols();
        switch (w.type()) {
            case Q8_0 -> {
                SplitBlocks blocks = w.split();
                MemorySegment quants = blocks.quants(), scales = blocks.scales();
                long qo = blocks.quantOffset(r, n), so = blocks.scaleOffset(r, n);
                for (int b = 0; b < n / 32; b++, qo += 32, so += 4) {
                    FloatVector d = FloatVector.broadcast(F, scales.get(FLOAT, so));
                    for (int j = 0; j < 32; j += L) {
                        floats(bytes(quants, qo + j)).mul(d).intoArray(out, oo + b * 32 + j);
                    }
                }
            }
            case Q4_0 -> {
                SplitBlocks blocks = w.split();
                MemorySegment quants = blocks.quants(), scales = blocks.scales();
                long qo = blocks.quantOffset(r, n), so = blocks.scaleOffset(r, n);
                for (int b = 0; b < n / 32; b++, qo += 16, so += 4) {
                    FloatVector d = FloatVector.broadcast(F, scales.get(FLOAT, so));
                    for (int e = 0; e < 32; e += L) {
                        q4(quants, qo, e).mul(d).intoArray(out, oo + b * 32 + e);
                    }
                }
            }
            case Q4_K -> {
                float[] sm = new float[16];
                for (int b = 0; b < n / 256; b++, off += 144) {
                    Dequant.kScalesAndMins(seg, off, sm);
                    for (int j = 0; j < 8; j++) {
                        FloatVector dv = FloatVector.broadcast(F, sm[j]);
                        FloatVector mv = FloatVector.broadcast(F, sm[8 + j]);
                        for (int e = 0; e < 32; e += L) {
                            q4k(seg, off + 16 + 32 * (j / 2) + e, j & 1, dv, mv).intoArray(out, oo + b * 256 + j * 32 + e);
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

    /** L quant bytes at {@code off} zero-extended to ints: bit fields are cut out in int lanes, where shifts are single instructions (x86 has no byte shift). */
    private static IntVector unsigned(MemorySegment seg, long off) {
        return (IntVector) bytes(seg, off).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    private static FloatVector floats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** The first L bytes as floats: one widening conversion (vpmovsxbd + vcvtdq2ps on AVX2). */
    private static FloatVector floats(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
    }

    private static FloatVector xv(float[] x, int i) {
        return FloatVector.fromArray(F, x, i);
    }

    // Each kernel below computes canonical lanes from .. from + PASS_LANES of one row: per 32-element
    // group, vector v covers elements from + v*L .. from + v*L + L - 1, accumulated into a<v>.
    // The stores stay in each kernel: handing the vectors to a helper C2 declines to inline boxes them.

    private static void f32(MemorySegment seg, long off, float[] x, int xo, int n, int from, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int g = 0; g + Dot.LANES <= n; g += Dot.LANES) {
            int i = g + from;
            long o = off + 4L * i;
            a0 = FloatVector.fromMemorySegment(F, seg, o, LE).fma(xv(x, xo + i), a0);
            a1 = FloatVector.fromMemorySegment(F, seg, o + 4L * L, LE).fma(xv(x, xo + i + L), a1);
            if (V == 4) {
                a2 = FloatVector.fromMemorySegment(F, seg, o + 8L * L, LE).fma(xv(x, xo + i + 2 * L), a2);
                a3 = FloatVector.fromMemorySegment(F, seg, o + 12L * L, LE).fma(xv(x, xo + i + 3 * L), a3);
            }
        }
        a0.intoArray(lanes, from);
        a1.intoArray(lanes, from + L);
        if (V == 4) {
            a2.intoArray(lanes, from + 2 * L);
            a3.intoArray(lanes, from + 3 * L);
        }
    }

    private static void q8_0(MemorySegment quants, long off, MemorySegment scales, long so, float[] x, int xo, int n, int from, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 32; b++, off += 32, so += 4) {
            FloatVector d = FloatVector.broadcast(F, scales.get(FLOAT, so));
            long q = off + from;
            int i = xo + b * 32 + from;
            a0 = floats(bytes(quants, q)).mul(d).fma(xv(x, i), a0);
            a1 = floats(bytes(quants, q + L)).mul(d).fma(xv(x, i + L), a1);
            if (V == 4) {
                a2 = floats(bytes(quants, q + 2 * L)).mul(d).fma(xv(x, i + 2 * L), a2);
                a3 = floats(bytes(quants, q + 3 * L)).mul(d).fma(xv(x, i + 3 * L), a3);
            }
        }
        a0.intoArray(lanes, from);
        a1.intoArray(lanes, from + L);
        if (V == 4) {
            a2.intoArray(lanes, from + 2 * L);
            a3.intoArray(lanes, from + 3 * L);
        }
    }

    /** Q4_0 quants minus 8 of element {@code e} (0..31) of the 16 quant bytes at {@code off} and the L after it: byte e mod 16, low nibble below 16, high from 16. */
    private static FloatVector q4(MemorySegment quants, long off, int e) {
        return floats(nibbles(unsigned(quants, off + (e & 15)), e >> 4).sub(8));
    }

    private static void q4_0(MemorySegment quants, long off, MemorySegment scales, long so, float[] x, int xo, int n, int from, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 32; b++, off += 16, so += 4) {
            FloatVector d = FloatVector.broadcast(F, scales.get(FLOAT, so));
            int i = xo + b * 32 + from;
            a0 = q4(quants, off, from).mul(d).fma(xv(x, i), a0);
            a1 = q4(quants, off, from + L).mul(d).fma(xv(x, i + L), a1);
            if (V == 4) {
                a2 = q4(quants, off, from + 2 * L).mul(d).fma(xv(x, i + 2 * L), a2);
                a3 = q4(quants, off, from + 3 * L).mul(d).fma(xv(x, i + 3 * L), a3);
            }
        }
        a0.intoArray(lanes, from);
        a1.intoArray(lanes, from + L);
        if (V == 4) {
            a2.intoArray(lanes, from + 2 * L);
            a3.intoArray(lanes, from + 3 * L);
        }
    }

    /** Q4_K sub-block weights {@code d·q − m} of L elements whose nibbles ({@code half}) start at {@code q}. */
    private static FloatVector q4k(MemorySegment seg, long q, int half, FloatVector dv, FloatVector mv) {
        return dv.mul(floats(nibbles(unsigned(seg, q), half))).sub(mv);
    }

    /** {@code sm}: 16 floats of scratch for each block's scales and mins. */
    private static void q4_k(MemorySegment seg, long off, float[] x, int xo, int n, int from, float[] lanes, float[] sm) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 256; b++, off += 144) {
            Dequant.kScalesAndMins(seg, off, sm);
            for (int j = 0; j < 8; j++) { // sub-block j: 32 weights, nibbles of bytes 32*(j/2) .. +32
                FloatVector dv = FloatVector.broadcast(F, sm[j]);
                FloatVector mv = FloatVector.broadcast(F, sm[8 + j]);
                int half = j & 1;
                long q = off + 16 + 32 * (j / 2) + from;
                int i = xo + b * 256 + j * 32 + from;
                a0 = q4k(seg, q, half, dv, mv).fma(xv(x, i), a0);
                a1 = q4k(seg, q + L, half, dv, mv).fma(xv(x, i + L), a1);
                if (V == 4) {
                    a2 = q4k(seg, q + 2 * L, half, dv, mv).fma(xv(x, i + 2 * L), a2);
                    a3 = q4k(seg, q + 3 * L, half, dv, mv).fma(xv(x, i + 3 * L), a3);
                }
            }
        }
        a0.intoArray(lanes, from);
        a1.intoArray(lanes, from + L);
        if (V == 4) {
            a2.intoArray(lanes, from + 2 * L);
            a3.intoArray(lanes, from + 3 * L);
        }
    }

    /**
     * Low ({@code high == 0}) or high nibbles of the bytes in {@code raw}, as values 0..15. A shift by a
     * variable count, not a branch between two vector expressions: C2 boxed the vectors merged by such a branch.
     */
    private static IntVector nibbles(IntVector raw, int high) {
        return raw.lanewise(VectorOperators.LSHR, counts(4 * high)).and(0x0F);
    }

    /**
     * A shift count as a vector. C2 intrinsifies a scalar count only when it is a compile-time
     * constant; a count that depends on a loop variable fell back to the scalar Java
     * implementation (Q4_0 and Q4_K matvecs at 2-6 GB/s instead of 17).
     */
    private static IntVector counts(int count) {
        return IntVector.broadcast(I, count);
    }

    /**
     * Q6_K rows, all 32 lanes in one call; the lane accumulators live in {@code lanes} between half
     * blocks. Per 256-weight block the 16 group scales {@code d·sc} are decoded once into {@code scales};
     * each vector of lanes then takes the four 32-element groups of a half block from one load each of
     * {@code ql}, {@code ql + 32} and {@code qh} (unmasked: with 4 lanes the 8-byte loads end inside the block).
     * <p>The body calls the Vector API directly, with none of this class's helpers: C2 stops inlining
     * ordinary methods once a compilation passes its node budget (the API's own methods are exempt),
     * and a vector helper left out-of-line boxes every vector it touches.
     */
    private static void q6_k(MemorySegment seg, long off, float[] x, int xo, int n, float[] lanes, float[] scales) {
        java.util.Arrays.fill(lanes, 0, Dot.LANES, 0f);
        for (int b = 0; b < n / 256; b++, off += 210) {
            float d = Float.float16ToFloat(seg.get(SHORT, off + 208));
            for (int j = 0; j < 16; j += L) {
                ByteVector sc = L == 4 ? ByteVector.fromMemorySegment(BL, seg, off + 192 + j, LE, FIRST_L) : ByteVector.fromMemorySegment(BL, seg, off + 192 + j, LE);
                ((FloatVector) sc.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(scales, j);
            }
            for (int half = 0; half < 2; half++) {
                for (int e = 0; e < 32; e += L) {
                    long ql = off + 64L * half + e;
                    int s = 8 * half + (e >> 4);
                    int i = xo + b * 256 + 128 * half + e;
                    IntVector lo = (IntVector) ByteVector.fromMemorySegment(BL, seg, ql, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector hi = (IntVector) ByteVector.fromMemorySegment(BL, seg, ql + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector top = (IntVector) ByteVector.fromMemorySegment(BL, seg, off + 128 + 32L * half + e, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    FloatVector a = FloatVector.fromArray(F, lanes, e);
                    IntVector q0 = lo.and(0x0F).or(top.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32);
                    a = ((FloatVector) q0.convert(VectorOperators.I2F, 0)).mul(scales[s]).fma(FloatVector.fromArray(F, x, i), a);
                    IntVector q1 = hi.and(0x0F).or(top.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32);
                    a = ((FloatVector) q1.convert(VectorOperators.I2F, 0)).mul(scales[s + 2]).fma(FloatVector.fromArray(F, x, i + 32), a);
                    IntVector q2 = lo.lanewise(VectorOperators.LSHR, 4).or(top.and(0x30)).sub(32);
                    a = ((FloatVector) q2.convert(VectorOperators.I2F, 0)).mul(scales[s + 4]).fma(FloatVector.fromArray(F, x, i + 64), a);
                    IntVector q3 = hi.lanewise(VectorOperators.LSHR, 4).or(top.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32);
                    a = ((FloatVector) q3.convert(VectorOperators.I2F, 0)).mul(scales[s + 6]).fma(FloatVector.fromArray(F, x, i + 96), a);
                    a.intoArray(lanes, e);
                }
            }
        }
    }

    /**
     * Q5_K rows, all 32 lanes in one call, written like {@link #q6_k}. For each vector of lanes the
     * {@code qh} bytes are loaded once per block; pair {@code p} of sub-blocks takes the low and high
     * nibbles of 32 bytes of {@code qs} with bits {@code 2p} and {@code 2p + 1} of {@code qh} as their
     * fifth bit (shifted down two bits per pair). {@code sm} receives each block's scales and mins.
     */
    private static void q5_k(MemorySegment seg, long off, float[] x, int xo, int n, float[] lanes, float[] sm) {
        java.util.Arrays.fill(lanes, 0, Dot.LANES, 0f);
        for (int b = 0; b < n / 256; b++, off += 176) {
            Dequant.kScalesAndMins(seg, off, sm);
            for (int e = 0; e < 32; e += L) {
                IntVector qh = (IntVector) ByteVector.fromMemorySegment(BL, seg, off + 16 + e, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector a = FloatVector.fromArray(F, lanes, e);
                for (int p = 0; p < 4; p++) {
                    long q = off + 48 + 32 * p + e;
                    int i = xo + b * 256 + 64 * p + e;
                    ByteVector qs = L == 4 ? ByteVector.fromMemorySegment(BL, seg, q, LE, FIRST_L) : ByteVector.fromMemorySegment(BL, seg, q, LE);
                    IntVector raw = (IntVector) qs.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector low = raw.and(0x0F).or(qh.lanewise(VectorOperators.LSHL, 4).and(0x10));
                    IntVector high = raw.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHL, 3).and(0x10));
                    qh = qh.lanewise(VectorOperators.LSHR, 2); // the next pair's bits to the bottom: constant shifts only
                    a = ((FloatVector) low.convert(VectorOperators.I2F, 0)).mul(sm[2 * p]).sub(sm[8 + 2 * p]).fma(FloatVector.fromArray(F, x, i), a);
                    a = ((FloatVector) high.convert(VectorOperators.I2F, 0)).mul(sm[2 * p + 1]).sub(sm[9 + 2 * p]).fma(FloatVector.fromArray(F, x, i + 32), a);
                }
                a.intoArray(lanes, e);
            }
        }
    }
}
