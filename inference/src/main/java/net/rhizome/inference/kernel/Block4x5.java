package net.rhizome.inference.kernel;

import static net.rhizome.inference.kernel.VectorWidth.F;
import static net.rhizome.inference.kernel.VectorWidth.L;

import jdk.incubator.vector.FloatVector;

/**
 * The batched microkernel of 512-bit machines: 4 weight rows x 5 tokens = 20 canonical dot
 * products at once, each bit-identical to {@link Dot#dot}, one vector of lanes per pass (as
 * {@link Block3x3#accumulate}, whose comments give the order argument).
 *
 * <p>With 32 registers, 20 accumulators, 4 weight vectors and 1 activation vector fit: every
 * weight load feeds 5 FMAs and every activation load 4, against 3 and 3 for 3x3. Measured on the
 * prefill's shapes, one thread: 1.2-1.4x the 3x3 kernel that held both lane vectors of 9 outputs.
 */
final class Block4x5 {
    static final int ROWS = 4;
    static final int TOKENS = 5;
    /** Floats of accumulator state per call site: 20 outputs x 32 lanes. */
    static final int STATE = ROWS * TOKENS * Dot.LANES;
    private static final int LANES = Dot.LANES;

    private Block4x5() {}

    /**
     * Adds columns {@code [from, to)} to the 20 partial sums in {@code acc[ao ..]} (output
     * {@code 5 * row + token}, 32 lanes each), over lanes {@code part * L ..}: rows at
     * {@code wo + r * n} of {@code w}, tokens at {@code xo + t * n} of {@code x}. {@code from} and
     * {@code to} are multiples of 32.
     */
    static void accumulate(float[] w, int wo, float[] x, int xo, int n, int from, int to, int part, float[] acc, int ao) {
        int o = ao + part * L;
        FloatVector c00 = load(acc, o), c01 = load(acc, o + LANES), c02 = load(acc, o + 2 * LANES), c03 = load(acc, o + 3 * LANES), c04 = load(acc, o + 4 * LANES);
        FloatVector c10 = load(acc, o + 5 * LANES), c11 = load(acc, o + 6 * LANES), c12 = load(acc, o + 7 * LANES), c13 = load(acc, o + 8 * LANES), c14 = load(acc, o + 9 * LANES);
        FloatVector c20 = load(acc, o + 10 * LANES), c21 = load(acc, o + 11 * LANES), c22 = load(acc, o + 12 * LANES), c23 = load(acc, o + 13 * LANES), c24 = load(acc, o + 14 * LANES);
        FloatVector c30 = load(acc, o + 15 * LANES), c31 = load(acc, o + 16 * LANES), c32 = load(acc, o + 17 * LANES), c33 = load(acc, o + 18 * LANES), c34 = load(acc, o + 19 * LANES);
        int w1 = wo + n, w2 = wo + 2 * n, w3 = wo + 3 * n;
        int x1 = xo + n, x2 = xo + 2 * n, x3 = xo + 3 * n, x4 = xo + 4 * n;
        for (int i = from + part * L; i < to; i += LANES) {
            FloatVector u0 = load(w, wo + i), u1 = load(w, w1 + i), u2 = load(w, w2 + i), u3 = load(w, w3 + i);
            FloatVector s = load(x, xo + i);
            c00 = u0.fma(s, c00);
            c10 = u1.fma(s, c10);
            c20 = u2.fma(s, c20);
            c30 = u3.fma(s, c30);
            s = load(x, x1 + i);
            c01 = u0.fma(s, c01);
            c11 = u1.fma(s, c11);
            c21 = u2.fma(s, c21);
            c31 = u3.fma(s, c31);
            s = load(x, x2 + i);
            c02 = u0.fma(s, c02);
            c12 = u1.fma(s, c12);
            c22 = u2.fma(s, c22);
            c32 = u3.fma(s, c32);
            s = load(x, x3 + i);
            c03 = u0.fma(s, c03);
            c13 = u1.fma(s, c13);
            c23 = u2.fma(s, c23);
            c33 = u3.fma(s, c33);
            s = load(x, x4 + i);
            c04 = u0.fma(s, c04);
            c14 = u1.fma(s, c14);
            c24 = u2.fma(s, c24);
            c34 = u3.fma(s, c34);
        }
        // stored here, not in a helper: vectors passed to a method C2 does not inline get boxed
        c00.intoArray(acc, o);
        c01.intoArray(acc, o + LANES);
        c02.intoArray(acc, o + 2 * LANES);
        c03.intoArray(acc, o + 3 * LANES);
        c04.intoArray(acc, o + 4 * LANES);
        c10.intoArray(acc, o + 5 * LANES);
        c11.intoArray(acc, o + 6 * LANES);
        c12.intoArray(acc, o + 7 * LANES);
        c13.intoArray(acc, o + 8 * LANES);
        c14.intoArray(acc, o + 9 * LANES);
        c20.intoArray(acc, o + 10 * LANES);
        c21.intoArray(acc, o + 11 * LANES);
        c22.intoArray(acc, o + 12 * LANES);
        c23.intoArray(acc, o + 13 * LANES);
        c24.intoArray(acc, o + 14 * LANES);
        c30.intoArray(acc, o + 15 * LANES);
        c31.intoArray(acc, o + 16 * LANES);
        c32.intoArray(acc, o + 17 * LANES);
        c33.intoArray(acc, o + 18 * LANES);
        c34.intoArray(acc, o + 19 * LANES);
    }

    private static FloatVector load(float[] a, int i) {
        return FloatVector.fromArray(F, a, i);
    }
}
