package net.rhizome.inference.kernel;

import net.rhizome.inference.quant.Dequant;
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
        par.forRange(rows, (worker, from, to) -> {
            float[] s = scratch[worker];
            if (tokens == 1) {
                for (int r = from; r < to; r++) {
                    y[r] = MatVec.dot(w, r, x, 0, s);
                }
            } else {
                for (int r = from; r < to; r++) {
                    Dequant.row(w, r, s, 0);
                    for (int t = 0; t < tokens; t++) {
                        y[t * rows + r] = Dot.dot(s, 0, x, t * cols, cols);
                    }
                }
            }
        });
    }
}
