package net.rhizome.inference.kernel;

import static net.rhizome.inference.kernel.VectorWidth.F;
import static net.rhizome.inference.kernel.VectorWidth.L;

import jdk.incubator.vector.FloatVector;

/**
 * The batched microkernel: 3 weight rows x 3 tokens = 9 canonical dot products at once, each
 * bit-identical to {@link Dot#dot}.
 *
 * <p>The canonical lanes of one output are independent sums, so a pass may cover just the
 * {@code L} lanes of one vector: elements {@code i = p*L .. p*L+L-1 (mod 32)}. One pass then needs
 * 9 accumulators, 3 weight vectors and 1 activation vector, which fit the 16 registers of AVX2
 * with every load feeding 3 FMAs. Callers run the {@code 32 / L} passes over a short stretch of
 * columns (it stays in L1) and keep the partial lanes in a float array between stretches; each lane
 * still sees its elements in index order, as the canonical order requires. A 512-bit machine has
 * 32 registers and holds all 32 lanes of the 9 outputs at once ({@link #accumulateBoth}): one pass
 * instead of two, and every weight and activation vector read once per stretch.
 */
final class Block3x3 {
    /** Floats of accumulator state per call site: 9 outputs x 32 lanes. */
    static final int STATE = 9 * Dot.LANES;
    private static final int LANES = Dot.LANES;

    private Block3x3() {}

    /**
     * Adds columns {@code [from, to)} to the 9 partial sums in {@code acc[ao ..]} (output
     * {@code 3 * row + token}, 32 lanes each), over lanes {@code part * L ..}: rows at {@code wo + r * n}
     * of {@code w}, tokens at {@code xo + t * n} of {@code x}. {@code from} and {@code to} are
     * multiples of 32.
     */
    static void accumulate(float[] w, int wo, float[] x, int xo, int n, int from, int to, int part, float[] acc, int ao) {
        int o = ao + part * L;
        FloatVector a00 = load(acc, o), a01 = load(acc, o + LANES), a02 = load(acc, o + 2 * LANES);
        FloatVector a10 = load(acc, o + 3 * LANES), a11 = load(acc, o + 4 * LANES), a12 = load(acc, o + 5 * LANES);
        FloatVector a20 = load(acc, o + 6 * LANES), a21 = load(acc, o + 7 * LANES), a22 = load(acc, o + 8 * LANES);
        int w1 = wo + n, w2 = wo + 2 * n, x1 = xo + n, x2 = xo + 2 * n;
        for (int i = from + part * L; i < to; i += Dot.LANES) {
            FloatVector u0 = load(w, wo + i), u1 = load(w, w1 + i), u2 = load(w, w2 + i);
            FloatVector s = load(x, xo + i);
            a00 = u0.fma(s, a00);
            a10 = u1.fma(s, a10);
            a20 = u2.fma(s, a20);
            s = load(x, x1 + i);
            a01 = u0.fma(s, a01);
            a11 = u1.fma(s, a11);
            a21 = u2.fma(s, a21);
            s = load(x, x2 + i);
            a02 = u0.fma(s, a02);
            a12 = u1.fma(s, a12);
            a22 = u2.fma(s, a22);
        }
        a00.intoArray(acc, o);
        a01.intoArray(acc, o + LANES);
        a02.intoArray(acc, o + 2 * LANES);
        a10.intoArray(acc, o + 3 * LANES);
        a11.intoArray(acc, o + 4 * LANES);
        a12.intoArray(acc, o + 5 * LANES);
        a20.intoArray(acc, o + 6 * LANES);
        a21.intoArray(acc, o + 7 * LANES);
        a22.intoArray(acc, o + 8 * LANES);
    }

    private static FloatVector load(float[] a, int i) {
        return FloatVector.fromArray(F, a, i);
    }

    /** {@link #accumulate} over all 32 lanes in one pass, for 512-bit vectors (L = 16): 18 accumulators. */
    static void accumulateBoth(float[] w, int wo, float[] x, int xo, int n, int from, int to, float[] acc, int ao) {
        FloatVector a00 = load(acc, ao), a01 = load(acc, ao + LANES), a02 = load(acc, ao + 2 * LANES);
        FloatVector a10 = load(acc, ao + 3 * LANES), a11 = load(acc, ao + 4 * LANES), a12 = load(acc, ao + 5 * LANES);
        FloatVector a20 = load(acc, ao + 6 * LANES), a21 = load(acc, ao + 7 * LANES), a22 = load(acc, ao + 8 * LANES);
        int h = ao + L;
        FloatVector b00 = load(acc, h), b01 = load(acc, h + LANES), b02 = load(acc, h + 2 * LANES);
        FloatVector b10 = load(acc, h + 3 * LANES), b11 = load(acc, h + 4 * LANES), b12 = load(acc, h + 5 * LANES);
        FloatVector b20 = load(acc, h + 6 * LANES), b21 = load(acc, h + 7 * LANES), b22 = load(acc, h + 8 * LANES);
        int w1 = wo + n, w2 = wo + 2 * n, x1 = xo + n, x2 = xo + 2 * n;
        for (int i = from; i < to; i += LANES) {
            FloatVector u0 = load(w, wo + i), u1 = load(w, w1 + i), u2 = load(w, w2 + i);
            FloatVector v0 = load(w, wo + i + L), v1 = load(w, w1 + i + L), v2 = load(w, w2 + i + L);
            FloatVector s = load(x, xo + i), t = load(x, xo + i + L);
            a00 = u0.fma(s, a00);
            a10 = u1.fma(s, a10);
            a20 = u2.fma(s, a20);
            b00 = v0.fma(t, b00);
            b10 = v1.fma(t, b10);
            b20 = v2.fma(t, b20);
            s = load(x, x1 + i);
            t = load(x, x1 + i + L);
            a01 = u0.fma(s, a01);
            a11 = u1.fma(s, a11);
            a21 = u2.fma(s, a21);
            b01 = v0.fma(t, b01);
            b11 = v1.fma(t, b11);
            b21 = v2.fma(t, b21);
            s = load(x, x2 + i);
            t = load(x, x2 + i + L);
            a02 = u0.fma(s, a02);
            a12 = u1.fma(s, a12);
            a22 = u2.fma(s, a22);
            b02 = v0.fma(t, b02);
            b12 = v1.fma(t, b12);
            b22 = v2.fma(t, b22);
        }
        a00.intoArray(acc, ao);
        a01.intoArray(acc, ao + LANES);
        a02.intoArray(acc, ao + 2 * LANES);
        a10.intoArray(acc, ao + 3 * LANES);
        a11.intoArray(acc, ao + 4 * LANES);
        a12.intoArray(acc, ao + 5 * LANES);
        a20.intoArray(acc, ao + 6 * LANES);
        a21.intoArray(acc, ao + 7 * LANES);
        a22.intoArray(acc, ao + 8 * LANES);
        b00.intoArray(acc, h);
        b01.intoArray(acc, h + LANES);
        b02.intoArray(acc, h + 2 * LANES);
        b10.intoArray(acc, h + 3 * LANES);
        b11.intoArray(acc, h + 4 * LANES);
        b12.intoArray(acc, h + 5 * LANES);
        b20.intoArray(acc, h + 6 * LANES);
        b21.intoArray(acc, h + 7 * LANES);
        b22.intoArray(acc, h + 8 * LANES);
    }
}
