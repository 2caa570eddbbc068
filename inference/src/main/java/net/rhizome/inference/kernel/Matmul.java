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
                float[] lanes = new float[2 * Dot.LANES];
                int r = from;
                if (MatVec.pairs(w)) {
                    if ((r & 1) == 1 && r < to) { // pairs start at even rows
                        y[r] = MatVec.dot(w, r, x, 0, s, lanes);
                        r++;
                    }
                    for (; r + 1 < to; r += 2) {
                        MatVec.dotPair(w, r, x, 0, y, lanes);
                    }
                }
                for (; r < to; r++) {
                    y[r] = MatVec.dot(w, r, x, 0, s, lanes);
                }
            });
            return;
        }
        int tileRows = tileRows(cols);
        par.forRange(ceilDiv(rows, tileRows), (worker, fromTile, toTile) -> {
            float[] tile = new float[tileRows * cols];
            float[] acc = new float[tileRows / BLOCK_ROWS * BLOCK_STATE];
            float[] lanes = new float[Dot.LANES];
            for (int r0 = fromTile * tileRows; r0 < Math.min(rows, toTile * tileRows); r0 += tileRows) {
                int nr = Math.min(tileRows, rows - r0);
                for (int i = 0; i < nr; i++) {
                    MatVec.dequantRow(w, r0 + i, tile, i * cols);
                }
                int t = 0;
                if (!VectorWidth.SCALAR) {
                    for (; t + BLOCK_TOKENS <= tokens; t += BLOCK_TOKENS) {
                        tokenBlock(tile, nr, cols, x, t, y, rows, r0, acc, lanes);
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

    /** The microkernel's block: {@link Block4x5} where 32 vector registers allow it (512-bit), else {@link Block3x3}. */
    private static final boolean WIDE = VectorWidth.K == 2;
    private static final int BLOCK_ROWS = WIDE ? Block4x5.ROWS : Block3x3.ROWS;
    private static final int BLOCK_TOKENS = WIDE ? Block4x5.TOKENS : Block3x3.TOKENS;
    private static final int BLOCK_STATE = WIDE ? Block4x5.STATE : Block3x3.STATE;

    /** Columns per stretch of the microkernel: its rows and tokens (up to 9 x 1024 floats, 36 KiB) stay in L1 across its lane passes. */
    private static final int STRETCH = 1024;

    /** Tokens {@code t ..} (one block's worth) against the {@code nr} decoded rows of {@code tile}, written to rows {@code r0 ..} of {@code y}. */
    private static void tokenBlock(float[] tile, int nr, int cols, float[] x, int t, float[] y, int rows, int r0, float[] acc, float[] lanes) {
        int blocks = nr / BLOCK_ROWS;
        int end = cols / Dot.LANES * Dot.LANES;
        java.util.Arrays.fill(acc, 0, blocks * BLOCK_STATE, 0f);
        for (int k0 = 0; k0 < end; k0 += STRETCH) {
            int k1 = Math.min(end, k0 + STRETCH);
            for (int b = 0; b < blocks; b++) {
                for (int p = 0; p < VectorWidth.K; p++) {
                    if (WIDE) {
                        Block4x5.accumulate(tile, BLOCK_ROWS * b * cols, x, t * cols, cols, k0, k1, p, acc, b * BLOCK_STATE);
                    } else {
                        Block3x3.accumulate(tile, BLOCK_ROWS * b * cols, x, t * cols, cols, k0, k1, p, acc, b * BLOCK_STATE);
                    }
                }
            }
        }
        for (int b = 0; b < blocks; b++) {
            for (int r = 0; r < BLOCK_ROWS; r++) {
                for (int j = 0; j < BLOCK_TOKENS; j++) {
                    int o = b * BLOCK_STATE + (BLOCK_TOKENS * r + j) * Dot.LANES;
                    int wo = (BLOCK_ROWS * b + r) * cols, xo = (t + j) * cols;
                    for (int i = end; i < cols; i++) {
                        acc[o + (i & (Dot.LANES - 1))] = Math.fma(tile[wo + i], x[xo + i], acc[o + (i & (Dot.LANES - 1))]);
                    }
                    y[(t + j) * rows + r0 + BLOCK_ROWS * b + r] = Dot.tree(acc, o);
                }
            }
        }
        for (int i = BLOCK_ROWS * blocks; i < nr; i++) {
            for (int j = 0; j < BLOCK_TOKENS; j++) {
                y[(t + j) * rows + r0 + i] = Dot.dot(tile, i * cols, x, (t + j) * cols, cols, lanes);
            }
        }
    }

    /**
     * Rows decoded together: a multiple of the microkernel's rows, at most 24, whose floats fit in
     * ~192 KiB so the tile stays in L2 while every block of tokens passes over it.
     */
    static int tileRows(int cols) {
        return Math.max(BLOCK_ROWS, Math.min(24, 192 * 1024 / (4 * cols) / BLOCK_ROWS * BLOCK_ROWS));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
