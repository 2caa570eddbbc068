package net.rhizome.inference.kernel;

import static net.rhizome.inference.kernel.VectorWidth.F;
import static net.rhizome.inference.kernel.VectorWidth.K;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.quant.WeightMatrix;

/**
 * Row products of Q8_0 and Q4_0 weights with activations quantised by {@link ActivationQuant}:
 * integer products per 32-element block, as llama.cpp does, in one canonical order.
 *
 * <p>Definition, per block {@code b} of the row: {@code s = f16(d_w) * d_x} (one float multiply);
 * for each of 16 lanes {@code l}, the exact integer {@code p = w[l]*x[l] + w[l+16]*x[l+16]} (Q4_0
 * weights are the nibbles minus 8) and {@code lane[l] = fma((float) p, s, lane[l])}. Blocks are taken
 * in index order and the lanes end in {@link Dot#tree}. Integer sums are exact whatever their order,
 * so only the float steps are fixed, and every width and the scalar path give identical bits.
 */
public final class IntMatVec {
    /** Shorts per product vector: 16, or 8 on a 128-bit machine. */
    private static final VectorSpecies<Short> S = K == 4 ? ShortVector.SPECIES_128 : ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = K == 4 ? ByteVector.SPECIES_64 : ByteVector.SPECIES_128;
    private static final int SL = S.length();
    /** Shift count as a vector: with an int count C2 reported "missing constant: opr=RShiftI" and fell back in some compilations. */
    private static final ShortVector FOUR = ShortVector.broadcast(S, (short) 4);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private IntMatVec() {}

    public static boolean supports(GgmlType type) {
        return type == GgmlType.Q8_0 || type == GgmlType.Q4_0;
    }

    /** Row {@code r} of {@code w} times the quantised activations {@code xq[qo ..]} with block scales {@code xd[dOff ..]}. */
    public static float dot(WeightMatrix w, int r, short[] xq, int qo, float[] xd, int dOff) {
        MemorySegment seg = w.data();
        long off = w.rowOffset(r);
        int n = w.cols();
        if (VectorWidth.SCALAR) {
            return reference(w.type(), seg, off, n, xq, qo, xd, dOff);
        }
        return w.type() == GgmlType.Q8_0 ? q8_0(seg, off, n, xq, qo, xd, dOff) : q4_0(seg, off, n, xq, qo, xd, dOff);
    }

    /** The definition, one element at a time. */
    static float reference(GgmlType type, MemorySegment seg, long off, int n, short[] xq, int qo, float[] xd, int dOff) {
        float[] lanes = new float[Dot.LANES];
        boolean q8 = type == GgmlType.Q8_0;
        long blockBytes = q8 ? 34 : 18;
        for (int b = 0; b < n / 32; b++, off += blockBytes) {
            float s = Float.float16ToFloat(seg.get(SHORT, off)) * xd[dOff + b];
            for (int l = 0; l < 16; l++) {
                int lo, hi;
                if (q8) {
                    lo = seg.get(ValueLayout.JAVA_BYTE, off + 2 + l);
                    hi = seg.get(ValueLayout.JAVA_BYTE, off + 2 + 16 + l);
                } else {
                    int packed = seg.get(ValueLayout.JAVA_BYTE, off + 2 + l) & 0xFF;
                    lo = (packed & 0x0F) - 8;
                    hi = (packed >> 4) - 8;
                }
                int i = qo + 32 * b + l;
                int p = lo * xq[i] + hi * xq[i + 16];
                lanes[l] = Math.fma((float) p, s, lanes[l]);
            }
        }
        return Dot.tree(lanes);
    }

    /** Row {@code r}'s quants as integer-valued floats into {@code out[oo ..]} (Q4_0: nibbles minus 8) and its block scales into {@code scales[so ..]}. */
    static void quants(WeightMatrix w, int r, float[] out, int oo, float[] scales, int so) {
        MemorySegment seg = w.data();
        long off = w.rowOffset(r);
        boolean q8 = w.type() == GgmlType.Q8_0;
        if (!VectorWidth.SCALAR) {
            if (q8) {
                for (int b = 0; b < w.cols() / 32; b++, off += 34) {
                    scales[so + b] = Float.float16ToFloat(seg.get(SHORT, off));
                    for (int j = 0; j < 32; j += SL) {
                        store(wide(seg, off + 2 + j), out, oo + 32 * b + j);
                    }
                }
            } else {
                for (int b = 0; b < w.cols() / 32; b++, off += 18) {
                    scales[so + b] = Float.float16ToFloat(seg.get(SHORT, off));
                    for (int j = 0; j < 16; j += SL) {
                        ShortVector raw = wide(seg, off + 2 + j);
                        store(raw.and((short) 0x0F).sub((short) 8), out, oo + 32 * b + j);
                        store(raw.lanewise(VectorOperators.ASHR, FOUR).and((short) 0x0F).sub((short) 8), out, oo + 32 * b + 16 + j);
                    }
                }
            }
            return;
        }
        for (int b = 0; b < w.cols() / 32; b++, off += q8 ? 34 : 18) {
            scales[so + b] = Float.float16ToFloat(seg.get(SHORT, off));
            int o = oo + 32 * b;
            for (int j = 0; j < 16; j++) {
                if (q8) {
                    out[o + j] = seg.get(ValueLayout.JAVA_BYTE, off + 2 + j);
                    out[o + 16 + j] = seg.get(ValueLayout.JAVA_BYTE, off + 18 + j);
                } else {
                    int packed = seg.get(ValueLayout.JAVA_BYTE, off + 2 + j) & 0xFF;
                    out[o + j] = (packed & 0x0F) - 8;
                    out[o + 16 + j] = (packed >> 4) - 8;
                }
            }
        }
    }

    /** SL quant bytes at {@code off}, sign-extended to shorts. Tiny so that C2 inlines it: a vector helper that is not inlined boxes its result. */
    private static ShortVector wide(MemorySegment seg, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B, seg, off, LE).convertShape(VectorOperators.B2S, S, 0);
    }

    private static ShortVector xs(short[] xq, int i) {
        return ShortVector.fromArray(S, xq, i);
    }

    /** Part {@code part} of the integer lane sums as floats (vpmovsxwd + vcvtdq2ps). */
    private static FloatVector floats(ShortVector p, int part) {
        return (FloatVector) p.convertShape(VectorOperators.S2F, F, part);
    }

    /** The SL shorts of {@code v} as floats at {@code out[o ..]}. */
    private static void store(ShortVector v, float[] out, int o) {
        floats(v, 0).intoArray(out, o);
        if (SL > F.length()) {
            floats(v, 1).intoArray(out, o + F.length());
        }
    }

    private static ShortVector q8(MemorySegment seg, long q, short[] xq, int i) {
        return wide(seg, q).mul(xs(xq, i)).add(wide(seg, q + 16).mul(xs(xq, i + 16)));
    }

    /** Q4_0 lane sums: byte j holds element j in its low nibble and 16 + j in its high one. */
    private static ShortVector q4(MemorySegment seg, long q, short[] xq, int i) {
        ShortVector raw = wide(seg, q);
        ShortVector lo = raw.and((short) 0x0F).sub((short) 8);
        ShortVector hi = raw.lanewise(VectorOperators.ASHR, FOUR).and((short) 0x0F).sub((short) 8);
        return lo.mul(xs(xq, i)).add(hi.mul(xs(xq, i + 16)));
    }

    // Lanes 0..SL-1 come from one short vector p0 (split into K or K/2 float parts), lanes SL..15 from p1 when SL is 8.
    private static float q8_0(MemorySegment seg, long off, int n, short[] xq, int qo, float[] xd, int dOff) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 32; b++, off += 34) {
            FloatVector s = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, off)) * xd[dOff + b]);
            int i = qo + 32 * b;
            ShortVector p0 = q8(seg, off + 2, xq, i);
            a0 = floats(p0, 0).fma(s, a0);
            if (K >= 2) {
                a1 = floats(p0, 1).fma(s, a1);
            }
            if (K == 4) {
                ShortVector p1 = q8(seg, off + 2 + SL, xq, i + SL);
                a2 = floats(p1, 0).fma(s, a2);
                a3 = floats(p1, 1).fma(s, a3);
            }
        }
        // the stores stay in each kernel: handing the vectors to a helper C2 declines to inline boxes them
        float[] lanes = new float[Dot.LANES];
        a0.intoArray(lanes, 0);
        if (K >= 2) {
            a1.intoArray(lanes, F.length());
        }
        if (K == 4) {
            a2.intoArray(lanes, 2 * F.length());
            a3.intoArray(lanes, 3 * F.length());
        }
        return Dot.tree(lanes);
    }

    private static float q4_0(MemorySegment seg, long off, int n, short[] xq, int qo, float[] xd, int dOff) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / 32; b++, off += 18) {
            FloatVector s = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(SHORT, off)) * xd[dOff + b]);
            int i = qo + 32 * b;
            ShortVector p0 = q4(seg, off + 2, xq, i);
            a0 = floats(p0, 0).fma(s, a0);
            if (K >= 2) {
                a1 = floats(p0, 1).fma(s, a1);
            }
            if (K == 4) {
                ShortVector p1 = q4(seg, off + 2 + SL, xq, i + SL);
                a2 = floats(p1, 0).fma(s, a2);
                a3 = floats(p1, 1).fma(s, a3);
            }
        }
        // the stores stay in each kernel: handing the vectors to a helper C2 declines to inline boxes them
        float[] lanes = new float[Dot.LANES];
        a0.intoArray(lanes, 0);
        if (K >= 2) {
            a1.intoArray(lanes, F.length());
        }
        if (K == 4) {
            a2.intoArray(lanes, 2 * F.length());
            a3.intoArray(lanes, 3 * F.length());
        }
        return Dot.tree(lanes);
    }
}
