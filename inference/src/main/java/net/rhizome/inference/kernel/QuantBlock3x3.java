package net.rhizome.inference.kernel;

import static net.rhizome.inference.kernel.VectorWidth.F;
import static net.rhizome.inference.kernel.VectorWidth.L;

import jdk.incubator.vector.FloatVector;

/**
 * The batched microkernel of {@link IntMatVec}'s order: 3 weight rows x 3 tokens, each output
 * bit-identical to {@link IntMatVec#dot}. Quants are held as integer-valued floats, so the block
 * lane sum {@code w[l]*x[l] + w[l+16]*x[l+16]} is one multiply and one FMA, both exact (the values
 * stay below 2^24), and the float FMA units do the integer work at full width. Passes over lanes
 * {@code part * L ..} and partial lanes kept between calls as in {@link Block3x3}.
 */
final class QuantBlock3x3 {
    static final int STATE = Block3x3.STATE;

    private QuantBlock3x3() {}

    /**
     * Adds blocks {@code [from, to)} to the 9 partial sums in {@code acc[ao ..]} (output {@code 3 * row + token}):
     * row quants at {@code wo + r * n} of {@code w} with scales {@code ws[so + r * n / 32 ..]}, token
     * quants at {@code xo + t * n} of {@code x} with scales {@code xs[xso + t * n / 32 ..]}.
     */
    static void accumulate(float[] w, int wo, float[] ws, int so, float[] x, int xo, float[] xs, int xso, int n,
            int from, int to, int part, float[] acc, int ao) {
        int o = ao + part * L, nb = n / 32;
        FloatVector a00 = load(acc, o), a01 = load(acc, o + 16), a02 = load(acc, o + 32);
        FloatVector a10 = load(acc, o + 48), a11 = load(acc, o + 64), a12 = load(acc, o + 80);
        FloatVector a20 = load(acc, o + 96), a21 = load(acc, o + 112), a22 = load(acc, o + 128);
        for (int b = from; b < to; b++) {
            int i = 32 * b + part * L;
            FloatVector u0 = load(w, wo + i), v0 = load(w, wo + i + 16);
            FloatVector u1 = load(w, wo + n + i), v1 = load(w, wo + n + i + 16);
            FloatVector u2 = load(w, wo + 2 * n + i), v2 = load(w, wo + 2 * n + i + 16);
            FloatVector s0 = bc(ws[so + b]), s1 = bc(ws[so + nb + b]), s2 = bc(ws[so + 2 * nb + b]);
            FloatVector lo = load(x, xo + i), hi = load(x, xo + i + 16);
            FloatVector d = bc(xs[xso + b]);
            a00 = v0.fma(hi, u0.mul(lo)).fma(s0.mul(d), a00);
            a10 = v1.fma(hi, u1.mul(lo)).fma(s1.mul(d), a10);
            a20 = v2.fma(hi, u2.mul(lo)).fma(s2.mul(d), a20);
            lo = load(x, xo + n + i);
            hi = load(x, xo + n + i + 16);
            d = bc(xs[xso + nb + b]);
            a01 = v0.fma(hi, u0.mul(lo)).fma(s0.mul(d), a01);
            a11 = v1.fma(hi, u1.mul(lo)).fma(s1.mul(d), a11);
            a21 = v2.fma(hi, u2.mul(lo)).fma(s2.mul(d), a21);
            lo = load(x, xo + 2 * n + i);
            hi = load(x, xo + 2 * n + i + 16);
            d = bc(xs[xso + 2 * nb + b]);
            a02 = v0.fma(hi, u0.mul(lo)).fma(s0.mul(d), a02);
            a12 = v1.fma(hi, u1.mul(lo)).fma(s1.mul(d), a12);
            a22 = v2.fma(hi, u2.mul(lo)).fma(s2.mul(d), a22);
        }
        a00.intoArray(acc, o);
        a01.intoArray(acc, o + 16);
        a02.intoArray(acc, o + 32);
        a10.intoArray(acc, o + 48);
        a11.intoArray(acc, o + 64);
        a12.intoArray(acc, o + 80);
        a20.intoArray(acc, o + 96);
        a21.intoArray(acc, o + 112);
        a22.intoArray(acc, o + 128);
    }

    private static FloatVector bc(float s) {
        return FloatVector.broadcast(F, s);
    }

    private static FloatVector load(float[] a, int i) {
        return FloatVector.fromArray(F, a, i);
    }
}
