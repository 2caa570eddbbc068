package net.rhizome.inference.kernel;

import net.rhizome.inference.quant.WeightMatrix;

/**
 * {@code y[t] = W · x[t]} for a batch of tokens, rows split over threads. One token uses the
 * fused {@link MatVec} kernels; a batch decodes each row once and reuses it for every token. Both
 * compute {@code Dot.dot(dequant(row), x)}, so a position's bits do not depend on batching.
 */
public final class Matmul {
    private Matmul() {}

    /**
     * @param x      {@code tokens} rows of {@code w.cols()} floats
     * @param y      receives {@code tokens} rows of {@code w.rows()} floats
     * @param scratch one float[] of at least {@code w.cols()} per worker
     */
    public static void apply(WeightMatrix w, float[] x, float[] y, int tokens, Parallel par, float[][] scratch) {
        int rows = w.rows(), cols = w.cols();
        if (tokens == 1) {
            par.forRange(rows, (worker, from, to) -> {
                float[] s = scratch[worker];
                float[] lanes = new float[Dot.LANES];
                for (int r = from; r < to; r++) {
                    y[r] = MatVec.dot(w, r, x, 0, s, lanes);
                }
            });
            return;
        }
        int tileRows = tileRows(cols);
        par.forRange(ceilDiv(rows, tileRows), (worker, fromTile, toTile) -> {
            float[] tile = new float[tileRows * cols];
            float[] acc = new float[tileRows / 3 * Block3x3.STATE];
            float[] lanes = new float[Dot.LANES];
            for (int r0 = fromTile * tileRows; r0 < Math.min(rows, toTile * tileRows); r0 += tileRows) {
                int nr = Math.min(tileRows, rows - r0);
                for (int i = 0; i < nr; i++) {
                    MatVec.dequantRow(w, r0 + i, tile, i * cols);
                }
                int t = 0;
                if (!VectorWidth.SCALAR) {
                    for (; t + 3 <= tokens; t += 3) {
                        threeTokens(tile, nr, cols, x, t, y, rows, r0, acc, lanes);
                    }
                }
                for (; t < tokens; t++) {
                    for (int i = 0; i < nr; i++) {
                        y[t * rows + r0 + i] = Dot.dot(tile, i * cols, x, t * cols, cols, lanes);
                    }
                }
            }
        });
    }

    /** Columns per stretch of the microkernel: 3 rows and 3 tokens of 512 floats (12 KiB) stay in L1 across its lane passes. */
    private static final int STRETCH = 1024;

    /** Tokens {@code t .. t+2} against the {@code nr} decoded rows of {@code tile}, written to rows {@code r0 ..} of {@code y}. */
    private static void threeTokens(float[] tile, int nr, int cols, float[] x, int t, float[] y, int rows, int r0, float[] acc, float[] lanes) {
        int triples = nr / 3;
        int end = cols / Dot.LANES * Dot.LANES;
        java.util.Arrays.fill(acc, 0, triples * Block3x3.STATE, 0f);
        for (int k0 = 0; k0 < end; k0 += STRETCH) {
            int k1 = Math.min(end, k0 + STRETCH);
            for (int b = 0; b < triples; b++) {
                if (VectorWidth.K == 2) {
                    Block3x3.accumulateBoth(tile, 3 * b * cols, x, t * cols, cols, k0, k1, acc, b * Block3x3.STATE);
                    continue;
                }
                for (int p = 0; p < VectorWidth.K; p++) {
                    Block3x3.accumulate(tile, 3 * b * cols, x, t * cols, cols, k0, k1, p, acc, b * Block3x3.STATE);
                }
            }
        }
        for (int b = 0; b < triples; b++) {
            for (int r = 0; r < 3; r++) {
                for (int j = 0; j < 3; j++) {
                    int o = b * Block3x3.STATE + (3 * r + j) * Dot.LANES;
                    int wo = (3 * b + r) * cols, xo = (t + j) * cols;
                    for (int i = end; i < cols; i++) {
                        acc[o + (i & (Dot.LANES - 1))] = Math.fma(tile[wo + i], x[xo + i], acc[o + (i & (Dot.LANES - 1))]);
                    }
                    y[(t + j) * rows + r0 + 3 * b + r] = Dot.tree(acc, o);
                }
            }
        }
        for (int i = 3 * triples; i < nr; i++) {
            for (int j = 0; j < 3; j++) {
                y[(t + j) * rows + r0 + i] = Dot.dot(tile, i * cols, x, (t + j) * cols, cols, lanes);
            }
        }
    }

    /**
     * Rows decoded together: a multiple of 3 (the microkernel takes row triples), at most 24, whose
     * floats fit in ~192 KiB so the tile stays in L2 while every group of tokens passes over it.
     */
    static int tileRows(int cols) {
        return Math.max(3, Math.min(24, 192 * 1024 / (4 * cols) / 3 * 3));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
