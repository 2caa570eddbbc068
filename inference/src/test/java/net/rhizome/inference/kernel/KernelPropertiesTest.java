package net.rhizome.inference.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.quant.Dequant;
import net.rhizome.inference.quant.WeightMatrix;

/**
 * The kernels against a plain scalar statement of the canonical order (32 lanes, element i in lane
 * i mod 32, fma in index order, pairwise tree), bit for bit, on whatever width this JVM runs.
 * {@code DeterminismTest} repeats the comparison end to end in child JVMs of every width.
 */
class KernelPropertiesTest {

    static float reference(float[] a, float[] b, int n) {
        float[] lanes = new float[32];
        for (int i = 0; i < n; i++) {
            lanes[i % 32] = Math.fma(a[i], b[i], lanes[i % 32]);
        }
        for (int s = 16; s >= 1; s /= 2) {
            for (int l = 0; l < s; l++) {
                lanes[l] = lanes[l] + lanes[l + s];
            }
        }
        return lanes[0];
    }

    @Property(tries = 200)
    void floatDotIsTheCanonicalOrder(@ForAll @IntRange(min = 0, max = 300) int n, @ForAll long seed) {
        Random r = new Random(seed);
        float[] a = new float[n], b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian() * (r.nextBoolean() ? 1e3f : 1e-3f);
            b[i] = (float) r.nextGaussian();
        }
        assertThat(Float.floatToIntBits(Dot.dot(a, 0, b, 0, n))).isEqualTo(Float.floatToIntBits(reference(a, b, n)));
    }

    /** The batched path (microkernel blocks over column stretches, leftover rows and tokens) for shapes around every boundary. */
    @Property(tries = 60)
    void batchedMatmulIsTheCanonicalDotPerOutput(@ForAll @IntRange(min = 1, max = 1100) int cols, @ForAll @IntRange(min = 1, max = 30) int rows,
            @ForAll @IntRange(min = 2, max = 8) int tokens, @ForAll @IntRange(min = 1, max = 2) int threads, @ForAll long seed) {
        Random r = new Random(seed);
        float[][] weights = new float[rows][cols];
        ByteBuffer raw = ByteBuffer.allocate(4 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : weights) {
            for (int i = 0; i < cols; i++) {
                row[i] = (float) r.nextGaussian() * (r.nextBoolean() ? 1e3f : 1e-3f);
                raw.putFloat(row[i]);
            }
        }
        WeightMatrix w = WeightMatrix.of("w", GgmlType.F32, rows, cols, MemorySegment.ofArray(raw.array()));
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] y = new float[tokens * rows];
        try (Parallel par = new Parallel(threads)) {
            Matmul.apply(w, x, y, tokens, par, new float[threads][cols]);
        }
        for (int t = 0; t < tokens; t++) {
            float[] xt = java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols);
            for (int row = 0; row < rows; row++) {
                assertThat(Float.floatToIntBits(y[t * rows + row])).as("token %d row %d", t, row)
                        .isEqualTo(Float.floatToIntBits(reference(weights[row], xt, cols)));
            }
        }
    }

    @Property(tries = 60)
    void fusedKernelsEqualDequantisedCanonicalDot(
            @ForAll("types") GgmlType type, @ForAll @IntRange(min = 1, max = 3) int blocks256, @ForAll @IntRange(min = 1, max = 13) int rows,
            @ForAll @IntRange(min = 1, max = 3) int threads, @ForAll long seed) {
        Random r = new Random(seed);
        int cols = 256 * blocks256;
        WeightMatrix w = randomMatrix(type, rows, cols, r);
        WeightMatrix rowsOnly = WeightMatrix.rowsOnly("w", type, rows, cols, w.data()); // Q8_0/Q4_0 without their split copy
        float[] x = gaussian(cols, r);
        float[] row = new float[cols];
        for (WeightMatrix m : java.util.List.of(w, rowsOnly)) {
            // where MatVec.pairs(m): rows in pairs, an odd last row alone, and (with more threads) ranges that start inside a pair
            float[] oneToken = new float[rows];
            try (Parallel par = new Parallel(threads)) {
                Matmul.apply(m, x, oneToken, 1, par, new float[threads][cols]);
            }
            for (int rIdx = 0; rIdx < rows; rIdx++) {
                Dequant.row(w, rIdx, row, 0);
                int expected = Float.floatToIntBits(reference(row, x, cols));
                String what = type + (m.split() != null ? " split" : "") + " row " + rIdx;
                float[] vectorDecoded = new float[cols];
                MatVec.dequantRow(m, rIdx, vectorDecoded, 0);
                assertThat(vectorDecoded).as("%s decoded", what).isEqualTo(row);
                assertThat(Float.floatToIntBits(MatVec.dot(m, rIdx, x, 0, new float[cols], new float[Dot.LANES]))).as(what).isEqualTo(expected);
                assertThat(Float.floatToIntBits(oneToken[rIdx])).as("%s in a one-token matmul", what).isEqualTo(expected);
            }
        }
    }

    @Property(tries = 60)
    void attentionScoresAreCanonicalDots(@ForAll @IntRange(min = 1, max = 5) int groupsOf32, @ForAll boolean ragged,
            @ForAll @IntRange(min = 1, max = 9) int keys, @ForAll long seed) {
        Random r = new Random(seed);
        int n = 32 * groupsOf32 - (ragged ? 7 : 0), stride = n + 3;
        float[] q = gaussian(n, r), k = gaussian(keys * stride + 5, r), scores = new float[keys];
        Dot.dots(q, 0, k, 5, stride, keys, n, 0.25f, scores, new float[Dot.LANES]);
        for (int j = 0; j < keys; j++) {
            float expected = reference(java.util.Arrays.copyOfRange(k, 5 + j * stride, 5 + j * stride + n), q, n) * 0.25f;
            assertThat(Float.floatToIntBits(scores[j])).as("score %d of %d, %d dims", j, keys, n).isEqualTo(Float.floatToIntBits(expected));
        }
    }

    @Property(tries = 60)
    void weightedSumIsOneFmaPerRowInRowOrder(@ForAll @IntRange(min = 1, max = 200) int n, @ForAll @IntRange(min = 1, max = 9) int rows, @ForAll long seed) {
        Random r = new Random(seed);
        int stride = n + 3;
        float[] w = gaussian(rows, r), v = gaussian(rows * stride + 5, r), out = gaussian(n, r), expected = out.clone();
        for (int j = 0; j < rows; j++) {
            for (int d = 0; d < n; d++) {
                expected[d] = Math.fma(w[j], v[5 + j * stride + d], expected[d]);
            }
        }
        Ops.weightedSum(w, rows, v, 5, stride, out, 0, n);
        assertThat(out).as("%d rows of %d", rows, n).isEqualTo(expected);
    }

    @Property(tries = 30)
    void freeOrderKernelComputesTheSameProduct(@ForAll("freeOrderTypes") GgmlType type, @ForAll @IntRange(min = 1, max = 3) int blocks256, @ForAll long seed) {
        Random r = new Random(seed);
        int cols = 256 * blocks256, rows = 2;
        WeightMatrix w = randomMatrix(type, rows, cols, r);
        if (!UnorderedMatVec.supports(w)) {
            return; // 128-bit and scalar runs have no free-order kernel (a discarding assumption would fail jqwik's discard limit there)
        }
        float[] x = gaussian(cols, r);
        float[] row = new float[cols];
        for (int rIdx = 0; rIdx < rows; rIdx++) {
            Dequant.row(w, rIdx, row, 0);
            double magnitude = 0;
            for (int i = 0; i < cols; i++) {
                magnitude += Math.abs((double) row[i] * x[i]);
            }
            // only the summation order differs: rounding error, far below one mis-decoded weight
            assertThat((double) UnorderedMatVec.dot(w, rIdx, x)).as("%s row %d", type, rIdx)
                    .isCloseTo(reference(row, x, cols), org.assertj.core.api.Assertions.within(1e-4 * magnitude + 1e-9));
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<GgmlType> freeOrderTypes() {
        return net.jqwik.api.Arbitraries.of(GgmlType.Q8_0, GgmlType.Q4_0);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<GgmlType> types() {
        return net.jqwik.api.Arbitraries.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
                GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);
    }

    /** A matrix of random quants with finite scales, its data exactly sized (a kernel reading past the last block fails). */
    static WeightMatrix randomMatrix(GgmlType type, int rows, int cols, Random r) {
        byte[] raw = new byte[(int) (type.byteSize(cols) * rows)];
        r.nextBytes(raw);
        sanitiseScales(type, raw, r);
        return WeightMatrix.of("w", type, rows, cols, MemorySegment.ofArray(raw));
    }

    static float[] gaussian(int n, Random r) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Random bytes may spell NaN/Inf scales; give every block finite half-precision scales instead. */
    private static void sanitiseScales(GgmlType type, byte[] raw, Random r) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int bpb = type.bytesPerBlock();
        for (int off = 0; off < raw.length; off += bpb) {
            switch (type) {
                case F32 -> b.putFloat(off, (float) r.nextGaussian());
                case F16 -> b.putShort(off, Float.floatToFloat16((float) r.nextGaussian()));
                case BF16 -> b.putShort(off, (short) (Float.floatToRawIntBits((float) r.nextGaussian()) >>> 16));
                case Q8_0, Q4_0 -> b.putShort(off, Float.floatToFloat16(r.nextFloat() * 0.1f));
                case Q4_K, Q5_K -> {
                    b.putShort(off, Float.floatToFloat16(r.nextFloat() * 0.01f));
                    b.putShort(off + 2, Float.floatToFloat16(r.nextFloat() * 0.01f));
                }
                case Q6_K -> b.putShort(off + 208, Float.floatToFloat16(r.nextFloat() * 0.01f));
                default -> throw new IllegalArgumentException(type.name());
            }
        }
    }

    @Property(tries = 20)
    void matmulRowsDoNotDependOnBatchOrThreads(@ForAll("types") GgmlType type, @ForAll @IntRange(min = 1, max = 3) int threads, @ForAll long seed) {
        Random r = new Random(seed);
        int cols = 256, rows = 11, tokens = 7;
        WeightMatrix w = randomMatrix(type, rows, cols, r);
        float[] x = gaussian(tokens * cols, r);
        float[] batched = new float[tokens * rows];
        try (Parallel par = new Parallel(threads)) {
            Matmul.apply(w, x, batched, tokens, par, new float[threads][cols]);
            for (int t = 0; t < tokens; t++) {
                float[] single = new float[rows];
                Matmul.apply(w, java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), single, 1, par, new float[threads][cols]);
                assertThat(java.util.Arrays.copyOfRange(batched, t * rows, (t + 1) * rows)).isEqualTo(single);
            }
        }
    }
}
