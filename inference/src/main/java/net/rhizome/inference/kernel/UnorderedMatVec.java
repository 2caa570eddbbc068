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
 * machine's preferred width, four independent accumulators and an unspecified-order
 * {@code reduceLanes}. Not used for inference; {@code rhizome bench inference} measures it as the
 * reference for what the deterministic kernels cost.
 */
public final class UnorderedMatVec {
    private static final VectorSpecies<Float> P = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final int PARTS = 16 / P.length();
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private UnorderedMatVec() {}

    public static boolean supports(WeightMatrix w) {
        return (w.type() == net.rhizome.inference.gguf.GgmlType.Q8_0 || w.type() == net.rhizome.inference.gguf.GgmlType.Q4_0)
                && PARTS >= 1 && PARTS <= 4;
    }

    public static float dot(WeightMatrix w, int r, float[] x) {
        MemorySegment seg = w.data();
        long off = w.rowOffset(r);
        boolean q8 = w.type() == net.rhizome.inference.gguf.GgmlType.Q8_0;
        int bytes = q8 ? 34 : 18;
        FloatVector acc0 = FloatVector.zero(P), acc1 = acc0;
        for (int b = 0; b < w.cols() / 32; b++, off += bytes) {
            FloatVector d = FloatVector.broadcast(P, Float.float16ToFloat(seg.get(SHORT, off)));
            ByteVector lo, hi;
            if (q8) {
                lo = ByteVector.fromMemorySegment(B, seg, off + 2, ByteOrder.LITTLE_ENDIAN);
                hi = ByteVector.fromMemorySegment(B, seg, off + 18, ByteOrder.LITTLE_ENDIAN);
            } else {
                ByteVector raw = ByteVector.fromMemorySegment(B, seg, off + 2, ByteOrder.LITTLE_ENDIAN);
                lo = raw.and((byte) 0x0F).sub((byte) 8);
                hi = raw.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
            }
            int i = b * 32;
            FloatVector s = FloatVector.zero(P);
            for (int p = 0; p < PARTS; p++) {
                s = ((FloatVector) lo.convertShape(VectorOperators.B2F, P, p)).fma(FloatVector.fromArray(P, x, i + p * P.length()), s);
                s = ((FloatVector) hi.convertShape(VectorOperators.B2F, P, p)).fma(FloatVector.fromArray(P, x, i + 16 + p * P.length()), s);
            }
            if ((b & 1) == 0) {
                acc0 = s.fma(d, acc0);
            } else {
                acc1 = s.fma(d, acc1);
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
}
