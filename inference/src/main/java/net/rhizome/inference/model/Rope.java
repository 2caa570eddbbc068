package net.rhizome.inference.model;

/**
 * Rotary position embedding. Frequencies {@code base^(-2i/d)} and the angle's cosine and sine are
 * computed in double with {@link StrictMath}, so the table is identical on every JVM.
 */
final class Rope {
    private final double[] freqs;
    private final int dims;
    private final boolean neox;

    Rope(ModelConfig c) {
        this.dims = c.ropeDims();
        this.neox = c.arch().neoxRope();
        this.freqs = new double[dims / 2];
        for (int i = 0; i < dims / 2; i++) {
            freqs[i] = StrictMath.pow(c.ropeBase(), -2.0 * i / dims);
        }
    }

    /** cos and sin for position {@code pos}: {@code table[2i] = cos, table[2i+1] = sin}. */
    float[] table(int pos) {
        float[] t = new float[dims];
        for (int i = 0; i < dims / 2; i++) {
            double theta = pos * freqs[i];
            t[2 * i] = (float) StrictMath.cos(theta);
            t[2 * i + 1] = (float) StrictMath.sin(theta);
        }
        return t;
    }

    /** Rotates {@code heads} consecutive heads of {@code headDim} floats starting at {@code off}. */
    void apply(float[] x, int off, int heads, int headDim, float[] table) {
        int half = dims / 2;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < half; i++) {
                int a = neox ? base + i : base + 2 * i;
                int b = neox ? base + i + half : base + 2 * i + 1;
                float cos = table[2 * i], sin = table[2 * i + 1];
                float x0 = x[a], x1 = x[b];
                x[a] = x0 * cos - x1 * sin;
                x[b] = x0 * sin + x1 * cos;
            }
        }
    }
}
