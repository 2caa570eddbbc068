package net.rhizome.inference.kernel;

/**
 * Quantises activations to signed 8-bit blocks of 32 (ggml's Q8_0 layout, kept as shorts so the
 * integer kernels can multiply without widening them again), once per matrix product. Exactly
 * specified: per block {@code amax = max |x|}, {@code d = amax / 127} (one float division) and
 * {@code q = rint(x / d)} (round half to even) clamped to ±127, or all zeros when {@code d == 0}.
 * Every step is an exactly rounded float operation, so the quants are the same on any JVM.
 */
public final class ActivationQuant {
    public static final int BLOCK = 32;

    private ActivationQuant() {}

    /** Quantises {@code x[xo .. xo + n)} ({@code n} a multiple of 32) into {@code q[qo ..]} and one scale per block into {@code d[dOff ..]}. */
    public static void quantize(float[] x, int xo, int n, short[] q, int qo, float[] d, int dOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int base = xo + b * BLOCK;
            float amax = 0f;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            float scale = amax / 127f;
            d[dOff + b] = scale;
            for (int j = 0; j < BLOCK; j++) {
                float v = scale == 0f ? 0f : (float) Math.rint(x[base + j] / scale);
                q[qo + b * BLOCK + j] = (short) Math.max(-127f, Math.min(127f, v));
            }
        }
    }
}
