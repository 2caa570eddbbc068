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
import jdk.incubator.vector.VectorShuffle;
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
    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    /** With 4 lanes, lane i takes byte i of a broadcast little-endian word: a masked 4-byte load was not intrinsified. */
    private static final IntVector WORD_BYTES = IntVector.fromArray(I, new int[] {0, 8, 16, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0);
    private static final IntVector WORD_TOP = IntVector.fromArray(I, new int[] {24, 16, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0);

    // K-quant six-bit fields from the words [d|dmin, w0, w1, w2] of a super-block (see Dequant.kScale and kMin):
    // lanes sc[0..3] = w0 & 3F.., sc[4..7] = w2 & 0F.. | (w0 >>> 6 & 03..) << 4, m[0..3] = w1 & 3F.., m[4..7] = w2 >>> 4 & 0F.. | (w1 >>> 6 & 03..) << 4
    private static final VectorSpecies<Integer> I4 = IntVector.SPECIES_128;
    private static final VectorShuffle<Integer> K_LOW_WORDS = VectorShuffle.fromValues(I4, 1, 3, 2, 3);
    private static final IntVector K_LOW_SHIFTS = IntVector.fromArray(I4, new int[] {0, 0, 0, 4}, 0);
    private static final IntVector K_LOW_MASKS = IntVector.fromArray(I4, new int[] {0x3F3F3F3F, 0x0F0F0F0F, 0x3F3F3F3F, 0x0F0F0F0F}, 0);
    private static final VectorShuffle<Integer> K_TOP_WORDS = VectorShuffle.fromValues(I4, 1, 1, 2, 2);
    private static final IntVector K_TOP_MASKS = IntVector.fromArray(I4, new int[] {0, 0x03030303, 0, 0x03030303}, 0);

    /** k - 8 for the nibbles k = 0..15 of a Q4_0 block (16 lanes; only read when L is 16). */
    private static final FloatVector Q4_CENTRED = FloatVector.fromArray(F, new float[] {-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7}, 0);

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
                case Q4_K, Q5_K -> {
                    kScalesAndMins(seg, off, n / 256, w.type().bytesPerBlock(), scratch);
                    if (w.type() == GgmlType.Q5_K) {
                        for (int from = 0; from < Dot.LANES; from += 2 * L) {
                            q5_k(seg, off, x, xo, n, from, lanes, scratch);
                        }
                    } else {
                        passes(w.type(), seg, off, null, 0, 1, x, xo, n, lanes, scratch);
                    }
                }
                case Q6_K -> q6_k(seg, off, x, xo, n, lanes, scratch);
                case Q8_0, Q4_0 -> {
                    SplitBlocks blocks = w.split();
                    passes(w.type(), blocks.quants(), blocks.quantOffset(r), blocks.scales(), blocks.scaleOffset(r), blocks.stride(r), x, xo, n, lanes, scratch);
                }
                default -> passes(w.type(), seg, off, null, 0, 1, x, xo, n, lanes, scratch);
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
     * {@code scales}/{@code so} the scales, {@code stride} blocks apart (Q8_0 rows are never paired,
     * so theirs is 1); the other types read the GGUF row at {@code off}.
     */
    private static void passes(GgmlType type, MemorySegment seg, long off, MemorySegment scales, long so, int stride, float[] x, int xo, int n, float[] lanes, float[] scratch) {
        for (int from = 0; from < Dot.LANES; from += Dot.PASS_LANES) {
            switch (type) {
                case F32 -> f32(seg, off, x, xo, n, from, lanes);
                case Q8_0 -> q8_0(seg, off, scales, so, x, xo, n, from, lanes);
                case Q4_0 -> q4_0(seg, off, scales, so, stride, x, xo, n, from, lanes);
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
            case Q8_0 -> q8_0Row(w.split(), r, n, out, oo);
            case Q4_0 -> q4_0Row(w.split(), r, n, out, oo);
            case Q4_K -> q4kRow(seg, off, n, out, oo);
            default -> Dequant.row(w, r, out, oo);
        }
    }

    // Each type's row decoder is a method of its own, compiled with its own profile. Inside
    // dequantRow, C2 could compile a case no row had reached yet (a JVM that met Q8_0 rows before
    // Q4_0 ones) with its vector calls left out of line, boxing every vector of every later row
    // (15 KB per 512-weight row in KernelAllocationTest, in CI).

    private static void q8_0Row(SplitBlocks blocks, int r, int n, float[] out, int oo) {
        MemorySegment quants = blocks.quants(), scales = blocks.scales();
        long qo = blocks.quantOffset(r), so = blocks.scaleOffset(r);
        for (int b = 0; b < n / 32; b++, qo += 32, so += 4) {
            FloatVector d = FloatVector.broadcast(F, scales.get(FLOAT, so));
            for (int j = 0; j < 32; j += L) {
                signed(quants, qo + j).mul(d).intoArray(out, oo + b * 32 + j);
            }
        }
    }

    private static void q4_0Row(SplitBlocks blocks, int r, int n, float[] out, int oo) {
        MemorySegment quants = blocks.quants(), scales = blocks.scales();
        long qo = blocks.quantOffset(r), so = blocks.scaleOffset(r), quantStep = 16L * blocks.stride(r), scaleStep = 4L * blocks.stride(r);
        for (int b = 0; b < n / 32; b++, qo += quantStep, so += scaleStep) {
            FloatVector d = FloatVector.broadcast(F, scales.get(FLOAT, so));
            for (int e = 0; e < 16; e += L) { // byte e: element e in its low nibble, e + 16 in its high
                IntVector raw = unsigned(quants, qo + e);
                floats(raw.and(0x0F).sub(8)).mul(d).intoArray(out, oo + b * 32 + e);
                floats(raw.lanewise(VectorOperators.LSHR, 4).sub(8)).mul(d).intoArray(out, oo + b * 32 + 16 + e);
            }
        }
    }

    /** Q4_K row decoding: inside {@code dequantRow} C2 also ran out of inlining budget and boxed these vectors. */
    private static void q4kRow(MemorySegment seg, long off, int n, float[] out, int oo) {
        for (int b = 0; b < n / 256; b++, off += 144) {
            for (int p = 0; p < 4; p++) { // sub-blocks 2p and 2p + 1: low and high nibbles of 32 bytes
                FloatVector dLow = FloatVector.broadcast(F, Dequant.kScale(seg, off, 2 * p)), mLow = FloatVector.broadcast(F, Dequant.kMin(seg, off, 2 * p));
                FloatVector dHigh = FloatVector.broadcast(F, Dequant.kScale(seg, off, 2 * p + 1)), mHigh = FloatVector.broadcast(F, Dequant.kMin(seg, off, 2 * p + 1));
                for (int e = 0; e < 32; e += L) {
                    IntVector raw = unsigned(seg, off + 16 + 32 * p + e);
                    int y = oo + b * 256 + 64 * p + e;
                    dLow.mul((FloatVector) raw.and(0x0F).convert(VectorOperators.I2F, 0)).sub(mLow).intoArray(out, y);
                    dHigh.mul((FloatVector) raw.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).sub(mHigh).intoArray(out, y + 32);
                }
            }
        }
    }

    // Quant loads are small methods: C2 inlines a method under 35 bytes of bytecode even at a cold
    // call site, and a vector helper it does not inline boxes its result.

    /** L signed quant bytes at {@code off} as floats (vpmovsxbd + vcvtdq2ps on AVX2). */
    private static FloatVector signed(MemorySegment seg, long off) {
        return L == 4 ? signedWord(seg, off) : signedBytes(seg, off);
    }

    private static FloatVector signedBytes(MemorySegment seg, long off) {
        return (FloatVector) ByteVector.fromMemorySegment(BL, seg, off, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /** With 4 lanes, lane i shifts byte i of a word to the top and back down with its sign: a masked 4-byte load was not intrinsified. */
    private static FloatVector signedWord(MemorySegment seg, long off) {
        return (FloatVector) IntVector.broadcast(I, seg.get(WORD, off)).lanewise(VectorOperators.LSHL, WORD_TOP).lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
    }

    /** L quant bytes at {@code off} zero-extended to ints: bit fields are cut out in int lanes, where shifts are single instructions (x86 has no byte shift). */
    private static IntVector unsigned(MemorySegment seg, long off) {
        return L == 4 ? unsignedWord(seg, off) : unsignedBytes(seg, off);
    }

    private static IntVector unsignedBytes(MemorySegment seg, long off) {
        return (IntVector) ByteVector.fromMemorySegment(BL, seg, off, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    private static IntVector unsignedWord(MemorySegment seg, long off) {
        return IntVector.broadcast(I, seg.get(WORD, off)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF);
    }

    private static FloatVector floats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    // Each kernel below computes canonical lanes from .. from + PASS_LANES of one row: per 32-element
    // group, vector v covers elements from + v*L .. from + v*L + L - 1, accumulated into a<v>.
    // The stores stay in each kernel: handing the vectors to a helper C2 declines to inline boxes them.

    private static void f32(MemorySegment seg, long off, float[] x, int xo, int n, int from, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int g = 0; g + Dot.LANES <= n; g += Dot.LANES) {
            int i = g + from;
            long o = off + 4L * i;
            a0 = FloatVector.fromMemorySegment(F, seg, o, LE).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = FloatVector.fromMemorySegment(F, seg, o + 4L * L, LE).fma(FloatVector.fromArray(F, x, xo + i + L), a1);
            if (V == 4) {
                a2 = FloatVector.fromMemorySegment(F, seg, o + 8L * L, LE).fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a2);
                a3 = FloatVector.fromMemorySegment(F, seg, o + 12L * L, LE).fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a3);
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
            a0 = (L == 4 ? (FloatVector) IntVector.broadcast(I, quants.get(WORD, q)).lanewise(VectorOperators.LSHL, WORD_TOP).lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0)
                    : (FloatVector) ByteVector.fromMemorySegment(BL, quants, q, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d).fma(FloatVector.fromArray(F, x, i), a0);
            a1 = (L == 4 ? (FloatVector) IntVector.broadcast(I, quants.get(WORD, q + L)).lanewise(VectorOperators.LSHL, WORD_TOP).lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0)
                    : (FloatVector) ByteVector.fromMemorySegment(BL, quants, q + L, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d).fma(FloatVector.fromArray(F, x, i + L), a1);
            if (V == 4) {
                a2 = (L == 4 ? (FloatVector) IntVector.broadcast(I, quants.get(WORD, q + 2 * L)).lanewise(VectorOperators.LSHL, WORD_TOP).lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0)
                    : (FloatVector) ByteVector.fromMemorySegment(BL, quants, q + 2 * L, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d).fma(FloatVector.fromArray(F, x, i + 2 * L), a2);
                a3 = (L == 4 ? (FloatVector) IntVector.broadcast(I, quants.get(WORD, q + 3 * L)).lanewise(VectorOperators.LSHL, WORD_TOP).lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0)
                    : (FloatVector) ByteVector.fromMemorySegment(BL, quants, q + 3 * L, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d).fma(FloatVector.fromArray(F, x, i + 3 * L), a3);
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
     * Q4_0 rows from their split copy; with 16 lanes {@link #q4_0Lookup} takes the row instead.
     * Element {@code e} of a block is the low nibble of byte {@code e} below 16 and the high nibble of
     * byte {@code e - 16} from 16; each vector's byte offset and shift are fixed for the whole row.
     * The shift counts are vectors: C2 intrinsifies a scalar count only when it is a compile-time
     * constant, and {@code from} is not (2-6 GB/s instead of 17). Like {@link #q5_k} the body calls
     * the Vector API directly: with four vectors per pass C2 ran out of inlining budget for helpers
     * and boxed every vector (10x slower).
     */
    private static void q4_0(MemorySegment quants, long off, MemorySegment scales, long so, int stride, float[] x, int xo, int n, int from, float[] lanes) {
        if (L == 16) {
            q4_0Lookup(quants, off, scales, so, stride, x, xo, n, lanes);
            return;
        }
        long quantStep = 16L * stride, scaleStep = 4L * stride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int byte0 = from & 15, byte1 = (from + L) & 15, byte2 = (from + 2 * L) & 15, byte3 = (from + 3 * L) & 15;
        IntVector shift0 = IntVector.broadcast(I, 4 * (from >> 4)), shift1 = IntVector.broadcast(I, 4 * ((from + L) >> 4));
        IntVector shift2 = IntVector.broadcast(I, 4 * ((from + 2 * L) >> 4)), shift3 = IntVector.broadcast(I, 4 * ((from + 3 * L) >> 4));
        for (int b = 0; b < n / 32; b++, off += quantStep, so += scaleStep) {
            FloatVector d = FloatVector.broadcast(F, scales.get(FLOAT, so));
            int i = xo + b * 32 + from;
            IntVector r0 = L == 4 ? IntVector.broadcast(I, quants.get(WORD, off + byte0)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, quants, off + byte0, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            a0 = ((FloatVector) r0.lanewise(VectorOperators.LSHR, shift0).and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).mul(d).fma(FloatVector.fromArray(F, x, i), a0);
            IntVector r1 = L == 4 ? IntVector.broadcast(I, quants.get(WORD, off + byte1)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, quants, off + byte1, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            a1 = ((FloatVector) r1.lanewise(VectorOperators.LSHR, shift1).and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).mul(d).fma(FloatVector.fromArray(F, x, i + L), a1);
            if (V == 4) {
                IntVector r2 = L == 4 ? IntVector.broadcast(I, quants.get(WORD, off + byte2)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, quants, off + byte2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                a2 = ((FloatVector) r2.lanewise(VectorOperators.LSHR, shift2).and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).mul(d).fma(FloatVector.fromArray(F, x, i + 2 * L), a2);
                IntVector r3 = L == 4 ? IntVector.broadcast(I, quants.get(WORD, off + byte3)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, quants, off + byte3, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                a3 = ((FloatVector) r3.lanewise(VectorOperators.LSHR, shift3).and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).mul(d).fma(FloatVector.fromArray(F, x, i + 3 * L), a3);
            }
        }
        a0.intoArray(lanes, from);
        a1.intoArray(lanes, from + L);
        if (V == 4) {
            a2.intoArray(lanes, from + 2 * L);
            a3.intoArray(lanes, from + 3 * L);
        }
    }

    /** Whether {@link #dotPair} serves {@code w}: Q4_0 from its split copy, with 16 lanes. */
    public static boolean pairs(WeightMatrix w) {
        return L == 16 && !VectorWidth.SCALAR && w.type() == GgmlType.Q4_0 && w.split() != null;
    }

    /**
     * Rows {@code r} and {@code r + 1} of a matrix {@link #pairs} serves, {@code r} even and
     * {@code r + 1} a row (one pair of the {@link SplitBlocks} layout), into {@code y[r]} and
     * {@code y[r + 1]}: each row's lanes and sums exactly as {@link #dot} makes them, but the two
     * rows' four accumulator chains interleave, so the loop is no longer bound by the latency of one
     * row's two. {@code lanes} holds at least {@code 2 * Dot.LANES} floats. Q8_0 and Q4_K ran 1.5x
     * and 1.3x faster this way from cache, but from memory Q8_0 gained nothing, even with its rows
     * interleaved (its one-row kernel already streams at the read bandwidth), and Q4_K, read from the
     * GGUF rows, lost 15%: it would need an interleaved copy too (docs/benchmarks.md, session 12).
     */
    public static void dotPair(WeightMatrix w, int r, float[] x, int xo, float[] y, float[] lanes) {
        SplitBlocks blocks = w.split();
        int n = w.cols();
        MemorySegment quants = blocks.quants(), scales = blocks.scales();
        long qo = blocks.quantOffset(r), so = blocks.scaleOffset(r); // block b of row r, then of row r + 1
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
        for (int b = 0; b < n / 32; b++, qo += 32, so += 8) {
            int i = xo + b * 32;
            FloatVector low = FloatVector.fromArray(F, x, i), high = FloatVector.fromArray(F, x, i + 16);
            IntVector valuesA = Q4_CENTRED.mul(scales.get(FLOAT, so)).reinterpretAsInts();
            IntVector rawA = (IntVector) ByteVector.fromMemorySegment(BL, quants, qo, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            a0 = rawA.and(0x0F).selectFrom(valuesA).reinterpretAsFloats().fma(low, a0);
            a1 = rawA.lanewise(VectorOperators.LSHR, 4).selectFrom(valuesA).reinterpretAsFloats().fma(high, a1);
            IntVector valuesB = Q4_CENTRED.mul(scales.get(FLOAT, so + 4)).reinterpretAsInts();
            IntVector rawB = (IntVector) ByteVector.fromMemorySegment(BL, quants, qo + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            b0 = rawB.and(0x0F).selectFrom(valuesB).reinterpretAsFloats().fma(low, b0);
            b1 = rawB.lanewise(VectorOperators.LSHR, 4).selectFrom(valuesB).reinterpretAsFloats().fma(high, b1);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 16);
        b0.intoArray(lanes, 32);
        b1.intoArray(lanes, 48);
        y[r] = Dot.tree(lanes, 0);
        y[r + 1] = Dot.tree(lanes, Dot.LANES);
    }

    /**
     * Q4_0 with 16 lanes, where one pass is one block: lane e of a0 takes the low nibble of byte e, of
     * a1 its high nibble. The 16 values a block can hold, {@code (k - 8) * d}, are made once per block
     * and each nibble picks its own with one vpermd: the same products as decoding each weight, in
     * fewer instructions than converting and scaling every nibble. The lookup is {@code selectFrom}:
     * {@code rearrange(v.toShuffle())} wraps the indexes with five more instructions per lookup.
     */
    private static void q4_0Lookup(MemorySegment quants, long off, MemorySegment scales, long so, int stride, float[] x, int xo, int n, float[] lanes) {
        long quantStep = 16L * stride, scaleStep = 4L * stride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < n / 32; b++, off += quantStep, so += scaleStep) {
            IntVector values = Q4_CENTRED.mul(scales.get(FLOAT, so)).reinterpretAsInts();
            IntVector raw = (IntVector) ByteVector.fromMemorySegment(BL, quants, off, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            int i = xo + b * 32;
            a0 = raw.and(0x0F).selectFrom(values).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, i), a0);
            a1 = raw.lanewise(VectorOperators.LSHR, 4).selectFrom(values).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, i + 16), a1);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 16);
    }

    /**
     * Q4_K rows, whose scales and mins {@link #kScalesAndMins} has decoded into {@code sm}. Pair
     * {@code t} of the row's sub-blocks takes the low and high nibbles of the same 32 bytes, so each
     * load serves two sub-blocks and the nibbles come out with constant shifts. Vector API calls only,
     * as in {@link #q4_0}.
     */
    private static void q4_k(MemorySegment seg, long off, float[] x, int xo, int n, int from, float[] lanes, float[] sm) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int t = 0; t < n / 64; t++) {
            long q = off + 144L * (t >> 2) + 16 + 32 * (t & 3) + from;
            int s = 16 * (t >> 2) + 2 * (t & 3);
            int i = xo + 64 * t + from;
            FloatVector dLow = FloatVector.broadcast(F, sm[s]), mLow = FloatVector.broadcast(F, sm[s + 8]);
            FloatVector dHigh = FloatVector.broadcast(F, sm[s + 1]), mHigh = FloatVector.broadcast(F, sm[s + 9]);
            IntVector r0 = L == 4 ? IntVector.broadcast(I, seg.get(WORD, q)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, seg, q, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            a0 = dLow.mul((FloatVector) r0.and(0x0F).convert(VectorOperators.I2F, 0)).sub(mLow).fma(FloatVector.fromArray(F, x, i), a0);
            a0 = dHigh.mul((FloatVector) r0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).sub(mHigh).fma(FloatVector.fromArray(F, x, i + 32), a0);
            IntVector r1 = L == 4 ? IntVector.broadcast(I, seg.get(WORD, q + L)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, seg, q + L, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            a1 = dLow.mul((FloatVector) r1.and(0x0F).convert(VectorOperators.I2F, 0)).sub(mLow).fma(FloatVector.fromArray(F, x, i + L), a1);
            a1 = dHigh.mul((FloatVector) r1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).sub(mHigh).fma(FloatVector.fromArray(F, x, i + 32 + L), a1);
            if (V == 4) {
                IntVector r2 = L == 4 ? IntVector.broadcast(I, seg.get(WORD, q + 2 * L)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, seg, q + 2 * L, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                a2 = dLow.mul((FloatVector) r2.and(0x0F).convert(VectorOperators.I2F, 0)).sub(mLow).fma(FloatVector.fromArray(F, x, i + 2 * L), a2);
                a2 = dHigh.mul((FloatVector) r2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).sub(mHigh).fma(FloatVector.fromArray(F, x, i + 32 + 2 * L), a2);
                IntVector r3 = L == 4 ? IntVector.broadcast(I, seg.get(WORD, q + 3 * L)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, seg, q + 3 * L, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                a3 = dLow.mul((FloatVector) r3.and(0x0F).convert(VectorOperators.I2F, 0)).sub(mLow).fma(FloatVector.fromArray(F, x, i + 3 * L), a3);
                a3 = dHigh.mul((FloatVector) r3.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).sub(mHigh).fma(FloatVector.fromArray(F, x, i + 32 + 3 * L), a3);
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
     * The scales and mins of all {@code blocks} K-quant super-blocks of a row starting at {@code off},
     * the floats {@link Dequant#kScale} and {@link Dequant#kMin} give: block b's eight scales at
     * {@code out[16b ..)}, its eight mins after them. The 12 bytes of six-bit fields are cut apart
     * as four int lanes (four fields each) at once.
     */
    private static void kScalesAndMins(MemorySegment seg, long off, int blocks, int blockBytes, float[] out) {
        for (int b = 0; b < blocks; b++, off += blockBytes) {
            IntVector words = IntVector.fromMemorySegment(I4, seg, off, LE); // d and dmin, then three words of fields
            IntVector low = words.rearrange(K_LOW_WORDS).lanewise(VectorOperators.LSHR, K_LOW_SHIFTS).and(K_LOW_MASKS);
            IntVector top = words.rearrange(K_TOP_WORDS).lanewise(VectorOperators.LSHR, 6).and(K_TOP_MASKS).lanewise(VectorOperators.LSHL, 4);
            ByteVector fields = low.or(top).reinterpretAsBytes(); // sc[0..7], then m[0..7]
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, off)));
            FloatVector dmin = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, off + 2)));
            for (int k = 0; k < 16; k += L) {
                FloatVector f = (FloatVector) fields.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, k / L).convert(VectorOperators.I2F, 0);
                f.mul(d.blend(dmin, F.indexInRange(k - 8, 8))).intoArray(out, 16 * b + k);
            }
        }
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
     * Q5_K rows, paired like {@link #q4_k}: pair {@code t} of sub-blocks takes the low and high nibbles
     * of 32 bytes of {@code qs}, with bits {@code 2p} and {@code 2p + 1} ({@code p = t mod 4}) of the
     * block's 32 {@code qh} bytes as their fifth bit. Lanes {@code from .. from + 2L} per call, whatever
     * the width, and Vector API calls only: with four vectors per call, or with helpers, C2 ran out of
     * inlining budget and boxed the vectors. The shift count, scales and mins stay scalars: made into
     * vectors in the loop, they led C2 (in {@code -Xbatch} compile order, at 512 bits) to box an
     * accumulator on every iteration.
     */
    private static void q5_k(MemorySegment seg, long off, float[] x, int xo, int n, int from, float[] lanes, float[] sm) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int t = 0; t < n / 64; t++) {
            long block = off + 176L * (t >> 2);
            long q = block + 48 + 32 * (t & 3) + from, h = block + 16 + from;
            int bit = 2 * (t & 3);
            int s = 16 * (t >> 2) + 2 * (t & 3);
            int i = xo + 64 * t + from;
            IntVector raw0 = L == 4 ? IntVector.broadcast(I, seg.get(WORD, q)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, seg, q, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            IntVector fifth0 = (L == 4 ? IntVector.broadcast(I, seg.get(WORD, h)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, seg, h, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).lanewise(VectorOperators.LSHR, bit);
            IntVector low0 = raw0.and(0x0F).or(fifth0.lanewise(VectorOperators.LSHL, 4).and(0x10));
            IntVector high0 = raw0.lanewise(VectorOperators.LSHR, 4).or(fifth0.lanewise(VectorOperators.LSHL, 3).and(0x10));
            a0 = ((FloatVector) low0.convert(VectorOperators.I2F, 0)).mul(sm[s]).sub(sm[s + 8]).fma(FloatVector.fromArray(F, x, i), a0);
            a0 = ((FloatVector) high0.convert(VectorOperators.I2F, 0)).mul(sm[s + 1]).sub(sm[s + 9]).fma(FloatVector.fromArray(F, x, i + 32), a0);
            IntVector raw1 = L == 4 ? IntVector.broadcast(I, seg.get(WORD, q + L)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, seg, q + L, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            IntVector fifth1 = (L == 4 ? IntVector.broadcast(I, seg.get(WORD, h + L)).lanewise(VectorOperators.LSHR, WORD_BYTES).and(0xFF)
                    : (IntVector) ByteVector.fromMemorySegment(BL, seg, h + L, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).lanewise(VectorOperators.LSHR, bit);
            IntVector low1 = raw1.and(0x0F).or(fifth1.lanewise(VectorOperators.LSHL, 4).and(0x10));
            IntVector high1 = raw1.lanewise(VectorOperators.LSHR, 4).or(fifth1.lanewise(VectorOperators.LSHL, 3).and(0x10));
            a1 = ((FloatVector) low1.convert(VectorOperators.I2F, 0)).mul(sm[s]).sub(sm[s + 8]).fma(FloatVector.fromArray(F, x, i + L), a1);
            a1 = ((FloatVector) high1.convert(VectorOperators.I2F, 0)).mul(sm[s + 1]).sub(sm[s + 9]).fma(FloatVector.fromArray(F, x, i + 32 + L), a1);
        }
        a0.intoArray(lanes, from);
        a1.intoArray(lanes, from + L);
    }
}
