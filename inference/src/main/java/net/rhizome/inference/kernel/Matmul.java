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
                for (int r = from; r < to; r++) {
                    y[r] = MatVec.dot(w, r, x, 0, s);
                }
            });
            return;
        }
        par.forRange(ceilDiv(rows, ROW_TILE), (worker, fromTile, toTile) -> {
            float[] tile = new float[ROW_TILE * cols];
            float[] four = new float[4];
            for (int r0 = fromTile * ROW_TILE; r0 < Math.min(rows, toTile * ROW_TILE); r0 += ROW_TILE) {
                int nr = Math.min(ROW_TILE, rows - r0);
                for (int i = 0; i < nr; i++) {
                    MatVec.dequantRow(w, r0 + i, tile, i * cols);
                }
                int t = 0;
                for (; t + 4 <= tokens; t += 4) {
                    for (int i = 0; i < nr; i++) {
                        Dot.dot4(tile, i * cols, x, t * cols, cols, cols, four, 0);
                        for (int j = 0; j < 4; j++) {
                            y[(t + j) * rows + r0 + i] = four[j];
                        }
                    }
                }
                for (; t < tokens; t++) {
                    for (int i = 0; i < nr; i++) {
                        y[t * rows + r0 + i] = Dot.dot(tile, i * cols, x, t * cols, cols);
                    }
                }
            }
        });
    }

    /** Rows decoded together (32 rows of 2048 floats = 256 KiB): they stay in L2 while every group of four tokens passes over them. */
    private static final int ROW_TILE = 32;

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
