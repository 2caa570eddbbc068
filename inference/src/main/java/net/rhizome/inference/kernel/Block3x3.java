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
 * still sees its elements in index order, as the canonical order requires. 512-bit machines, with
 * 32 registers, use the larger {@link Block4x5} instead.
 */
final class Block3x3 {
    static final int ROWS = 3;
    static final int TOKENS = 3;
    /** Floats of accumulator state per call site: 9 outputs x 32 lanes. */
    static final int STATE = ROWS * TOKENS * Dot.LANES;
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
}
