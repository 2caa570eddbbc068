package net.rhizome.inference.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.quant.WeightMatrix;

/**
 * Prints {@code KERNELS <width> <sha-256>} over the outputs of one-token matvecs, batched matmuls and
 * vector row decoding of seeded random matrices of every supported type, and of attention's score
 * and weighted-sum reductions. Run once per {@code rhizome.vector.bits} in a child JVM; the scalar
 * run is the reference the others must equal.
 */
public final class KernelWidthProbe {
    private static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K};

    public static void main(String[] args) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteBuffer bits = ByteBuffer.allocate(4);
        try (Parallel par = new Parallel(2)) {
            for (GgmlType type : TYPES) {
                for (int seed = 0; seed < 6; seed++) {
                    Random r = new Random(seed);
                    // unquantised rows also get lengths that are not a multiple of 32, to cover the tails;
                    // 11 rows make 8 chunks of one and two rows, so one-token matvecs also take rows in pairs
                    int cols = type.blockSize() == 1 ? 100 + 37 * seed : 256 * (1 + seed % 3), rows = 11, tokens = 7;
                    WeightMatrix w = KernelPropertiesTest.randomMatrix(type, rows, cols, r);
                    float[] x = KernelPropertiesTest.gaussian(tokens * cols, r);
                    float[] batched = new float[tokens * rows];
                    Matmul.apply(w, x, batched, tokens, par, new float[2][cols]);
                    float[] single = new float[rows];
                    Matmul.apply(w, Arrays.copyOf(x, cols), single, 1, par, new float[2][cols]);
                    float[] decoded = new float[cols];
                    MatVec.dequantRow(w, rows - 1, decoded, 0);
                    for (float[] out : new float[][] {batched, single, decoded}) {
                        for (float f : out) {
                            sha.update(bits.clear().putInt(Float.floatToRawIntBits(f)).array());
                        }
                    }
                }
            }
            // attention's reductions: one query's scores against many keys, then the weighted sum of values
            for (int headDim : new int[] {8, 40, 64, 128}) {
                Random r = new Random(headDim);
                int positions = 37, stride = headDim + 16;
                float[] q = KernelPropertiesTest.gaussian(headDim, r), keysAndValues = KernelPropertiesTest.gaussian(positions * stride + 8, r);
                float[] scores = new float[positions], sum = new float[headDim];
                Dot.dots(q, 0, keysAndValues, 8, stride, positions, headDim, 0.125f, scores, new float[Dot.LANES]);
                Ops.weightedSum(scores, positions, keysAndValues, 8, stride, sum, 0, headDim);
                for (float[] out : new float[][] {scores, sum}) {
                    for (float f : out) {
                        sha.update(bits.clear().putInt(Float.floatToRawIntBits(f)).array());
                    }
                }
            }
        }
        System.out.println("KERNELS " + VectorWidth.describe() + " " + HexFormat.of().formatHex(sha.digest()));
    }
}
