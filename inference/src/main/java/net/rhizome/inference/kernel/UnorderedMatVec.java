package net.rhizome.inference.kernel;

import static net.rhizome.inference.kernel.VectorWidth.F;
import static net.rhizome.inference.kernel.VectorWidth.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.quant.SplitBlocks;
import net.rhizome.inference.quant.WeightMatrix;

/**
 * The fastest Q8_0/Q4_0 row products we could write when bit-exactness is not required, at the
 * kernels' width when it is 256 or 512 bits: each 32-weight block summed unscaled, then scaled once
 * into one of two accumulators, and an unspecified-order {@code reduceLanes}. Not used for inference;
 * {@code rhizome bench inference} measures it as the reference for what the deterministic kernels
 * cost. Like {@link MatVec#q6_k} the loops call the Vector API directly, so nothing is boxed.
 */
public final class UnorderedMatVec {
    private static final VectorSpecies<Byte> B = L == 16 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private UnorderedMatVec() {}

    public static boolean supports(WeightMatrix w) {
        return (w.type() == GgmlType.Q8_0 || w.type() == GgmlType.Q4_0) && w.split() != null && !VectorWidth.SCALAR && L >= 8;
    }

    public static float dot(WeightMatrix w, int r, float[] x) {
        SplitBlocks blocks = w.split();
        MemorySegment quants = blocks.quants(), scales = blocks.scales();
        long qo = blocks.quantOffset(r), so = blocks.scaleOffset(r);
        return w.type() == GgmlType.Q8_0 ? q8(quants, qo, scales, so, w.cols(), x) : q4(quants, qo, scales, so, blocks.stride(r), w.cols(), x);
    }

    private static float q8(MemorySegment quants, long off, MemorySegment scales, long so, int n, float[] x) {
        FloatVector acc = FloatVector.zero(F), other = acc;
        for (int i = 0; i < n; i += 32, off += 32, so += 4) {
            FloatVector s = FloatVector.zero(F);
            for (int j = 0; j < 32; j += L) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(B, quants, off + j, LE).convertShape(VectorOperators.B2F, F, 0);
                s = q.fma(FloatVector.fromArray(F, x, i + j), s);
            }
            FloatVector next = s.fma(FloatVector.broadcast(F, scales.get(ValueLayout.JAVA_FLOAT, so)), acc);
            acc = other; // blocks alternate between two accumulators: two independent FMA chains
            other = next;
        }
        return acc.add(other).reduceLanes(VectorOperators.ADD);
    }

    /** Byte {@code j} of a Q4_0 block holds element {@code j} in its low nibble and {@code j + 16} in its high one. */
    private static float q4(MemorySegment quants, long off, MemorySegment scales, long so, int stride, int n, float[] x) {
        FloatVector acc = FloatVector.zero(F), other = acc;
        for (int i = 0; i < n; i += 32, off += 16L * stride, so += 4L * stride) {
            FloatVector s = FloatVector.zero(F);
            for (int j = 0; j < 16; j += L) {
                IntVector raw = (IntVector) ByteVector.fromMemorySegment(B, quants, off + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector low = (FloatVector) raw.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
                FloatVector high = (FloatVector) raw.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
                s = low.fma(FloatVector.fromArray(F, x, i + j), s);
                s = high.fma(FloatVector.fromArray(F, x, i + 16 + j), s);
            }
            FloatVector next = s.fma(FloatVector.broadcast(F, scales.get(ValueLayout.JAVA_FLOAT, so)), acc);
            acc = other; // blocks alternate between two accumulators: two independent FMA chains
            other = next;
        }
        return acc.add(other).reduceLanes(VectorOperators.ADD);
    }
}
