package net.rhizome.inference.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import net.rhizome.inference.quant.WeightMatrix;

/**
 * The fastest Q8_0/Q4_0 row products we could write when bit-exactness is not required: the
 * machine's preferred width (8 floats, AVX2; other widths are not covered), each 32-weight block
 * summed unscaled and then scaled once into one accumulator, and an unspecified-order
 * {@code reduceLanes}. Not used for inference; {@code rhizome bench inference} measures it as the
 * reference for what the deterministic kernels cost.
 */
public final class UnorderedMatVec {
    private static final VectorSpecies<Float> P = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private UnorderedMatVec() {}

    public static boolean supports(WeightMatrix w) {
        return (w.type() == net.rhizome.inference.gguf.GgmlType.Q8_0 || w.type() == net.rhizome.inference.gguf.GgmlType.Q4_0)
                && P.length() == 8;
    }

    public static float dot(WeightMatrix w, int r, float[] x) {
        boolean q8 = w.type() == net.rhizome.inference.gguf.GgmlType.Q8_0;
        return q8 ? q8(w.data(), w.rowOffset(r), w.cols(), x) : q4(w.data(), w.rowOffset(r), w.cols(), x);
    }

    // Straight-line code per block: vectors merged by a branch (q8 or q4) get boxed by C2.
    private static float q8(MemorySegment seg, long off, int n, float[] x) {
        FloatVector acc = FloatVector.zero(P);
        for (int i = 0; i < n; i += 32, off += 34) {
            FloatVector s = floats(bytes(seg, off + 2)).mul(xv(x, i));
            s = floats(bytes(seg, off + 10)).fma(xv(x, i + 8), s);
            s = floats(bytes(seg, off + 18)).fma(xv(x, i + 16), s);
            s = floats(bytes(seg, off + 26)).fma(xv(x, i + 24), s);
            acc = s.fma(scale(seg, off), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static float q4(MemorySegment seg, long off, int n, float[] x) {
        FloatVector acc = FloatVector.zero(P);
        for (int i = 0; i < n; i += 32, off += 18) {
            ByteVector r0 = bytes(seg, off + 2), r1 = bytes(seg, off + 10);
            FloatVector s = floats(low(r0)).mul(xv(x, i));
            s = floats(low(r1)).fma(xv(x, i + 8), s);
            s = floats(high(r0)).fma(xv(x, i + 16), s);
            s = floats(high(r1)).fma(xv(x, i + 24), s);
            acc = s.fma(scale(seg, off), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static ByteVector bytes(MemorySegment seg, long off) {
        return ByteVector.fromMemorySegment(B, seg, off, LE);
    }

    private static FloatVector floats(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, P, 0);
    }

    private static ByteVector low(ByteVector raw) {
        return raw.and((byte) 0x0F).sub((byte) 8);
    }

    private static ByteVector high(ByteVector raw) {
        return raw.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
    }

    private static FloatVector xv(float[] x, int i) {
        return FloatVector.fromArray(P, x, i);
    }

    private static FloatVector scale(MemorySegment seg, long off) {
        return FloatVector.broadcast(P, Float.float16ToFloat(seg.get(SHORT, off)));
    }
}
