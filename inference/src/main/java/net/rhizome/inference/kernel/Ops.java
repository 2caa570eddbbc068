package net.rhizome.inference.kernel;

import static net.rhizome.inference.kernel.VectorWidth.F;

import jdk.incubator.vector.FloatVector;

/**
 * Element-wise and normalisation operations of the forward pass. Element-wise vector code is
 * width-independent by nature (each lane is one exactly rounded IEEE operation); reductions go
 * through {@link Dot}; {@code exp} is {@link Exp}, built from exactly rounded operations, never
 * the {@link Math} intrinsics.
 */
public final class Ops {
    private Ops() {}

    /** {@code out[oo+i] = (x[xo+i] * (1 / rms(x))) * w[i]} with {@code rms = sqrt(mean(x^2) + eps)}. */
    public static void rmsNorm(float[] x, int xo, float[] w, float[] out, int oo, int n, float eps) {
        float ss = Dot.dot(x, xo, x, xo, n);
        float scale = 1f / (float) Math.sqrt(ss / n + eps);
        for (int i = 0; i < n; i++) {
            out[oo + i] = (x[xo + i] * scale) * w[i];
        }
    }

    /** {@code out[oo+i] = fma(a, v[vo+i], out[oo+i])}. */
    private static void axpy(float a, float[] v, int vo, float[] out, int oo, int n) {
        int i = 0;
        if (!VectorWidth.SCALAR) {
            FloatVector av = FloatVector.broadcast(F, a);
            for (int bound = F.loopBound(n); i < bound; i += F.length()) {
                av.fma(FloatVector.fromArray(F, v, vo + i), FloatVector.fromArray(F, out, oo + i)).intoArray(out, oo + i);
            }
        }
        for (; i < n; i++) {
            out[oo + i] = Math.fma(a, v[vo + i], out[oo + i]);
        }
    }

    /**
     * {@code out[oo + d] = fma(w[j], v[vo + j * stride + d], out[oo + d])} for {@code j = 0 .. count-1}
     * in turn and {@code d < n}: {@link #axpy} once per {@code j}, with the same bits, but each
     * stretch of {@code out} stays in registers across all {@code j} instead of going through memory
     * once per row (attention's weighted sum of values).
     */
    public static void weightedSum(float[] w, int count, float[] v, int vo, int stride, float[] out, int oo, int n) {
        int d = 0;
        if (!VectorWidth.SCALAR) {
            int step = 4 * F.length();
            for (; d + step <= n; d += step) {
                int o = oo + d, l = F.length();
                FloatVector a0 = FloatVector.fromArray(F, out, o), a1 = FloatVector.fromArray(F, out, o + l);
                FloatVector a2 = FloatVector.fromArray(F, out, o + 2 * l), a3 = FloatVector.fromArray(F, out, o + 3 * l);
                for (int j = 0, at = vo + d; j < count; j++, at += stride) {
                    FloatVector wj = FloatVector.broadcast(F, w[j]);
                    a0 = wj.fma(FloatVector.fromArray(F, v, at), a0);
                    a1 = wj.fma(FloatVector.fromArray(F, v, at + l), a1);
                    a2 = wj.fma(FloatVector.fromArray(F, v, at + 2 * l), a2);
                    a3 = wj.fma(FloatVector.fromArray(F, v, at + 3 * l), a3);
                }
                a0.intoArray(out, o);
                a1.intoArray(out, o + l);
                a2.intoArray(out, o + 2 * l);
                a3.intoArray(out, o + 3 * l);
            }
        }
        if (d < n) {
            for (int j = 0; j < count; j++) {
                axpy(w[j], v, vo + j * stride + d, out, oo + d, n - d);
            }
        }
    }

    /** {@code x[i] += y[i]}. */
    public static void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }

    /** SwiGLU over {@code [from, to)}: {@code gate[i] = silu(gate[i]) * up[i]} with {@code silu(g) = g / (1 + exp(-g))}, {@link Exp#exp}. */
    public static void swiglu(float[] gate, float[] up, int from, int to) {
        int i = from;
        if (!VectorWidth.SCALAR) {
            for (int bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector g = FloatVector.fromArray(F, gate, i);
                g.div(Exp.exp(g.neg()).add(1f)).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
            }
        }
        for (; i < to; i++) {
            float g = gate[i];
            gate[i] = g / (1f + Exp.exp(-g)) * up[i];
        }
    }

    /**
     * Softmax of {@code s[0 .. n)} in place: {@code exp(s - max)} by {@link Exp#exp}, summed in
     * index order in double, then scaled by the float reciprocal of the sum.
     */
    public static void softmax(float[] s, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, s[i]);
        }
        int i = 0;
        if (!VectorWidth.SCALAR) {
            for (int bound = F.loopBound(n); i < bound; i += F.length()) {
                Exp.exp(FloatVector.fromArray(F, s, i).sub(max)).intoArray(s, i);
            }
        }
        for (; i < n; i++) {
            s[i] = Exp.exp(s[i] - max);
        }
        double sum = 0;
        for (i = 0; i < n; i++) {
            sum += s[i];
        }
        float inv = (float) (1.0 / sum);
        for (i = 0; i < n; i++) {
            s[i] *= inv;
        }
    }
}
