package net.rhizome.inference.kernel;

import static net.rhizome.inference.kernel.VectorWidth.F;
import static net.rhizome.inference.kernel.VectorWidth.K;
import static net.rhizome.inference.kernel.VectorWidth.L;

import jdk.incubator.vector.FloatVector;

/**
 * The canonical float dot product every kernel reproduces bit for bit.
 *
 * <p>Definition: 16 partial sums; element {@code i} goes to lane {@code i mod 16} and is
 * accumulated in index order as {@code lane = fma(a[i], b[i], lane)}. The lanes are then summed by
 * a fixed pairwise tree: {@code lane[l] += lane[l + s]} for {@code s = 8, 4, 2, 1}. A 512-bit
 * machine holds the 16 lanes in one vector, 256-bit in two, 128-bit in four, the scalar path in 16
 * floats; lane-wise FMA is exactly rounded everywhere, so all of them give identical bits.
 */
public final class Dot {
    public static final int LANES = 16;

    private Dot() {}

    /** {@code sum a[ao + i] * b[bo + i]} for {@code i < n} in the canonical order. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        return dot(a, ao, b, bo, n, new float[LANES]);
    }

    /** {@link #dot(float[], int, float[], int, int)} with a caller-owned 16-float scratch (overwritten), for hot loops. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n, float[] lanes) {
        java.util.Arrays.fill(lanes, 0f);
        int groups = n / LANES;
        if (VectorWidth.SCALAR) {
            accumulateScalar(a, ao, b, bo, groups * LANES, lanes);
        } else {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int g = 0; g < groups; g++) {
                int i = g * LANES;
                a0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), a0);
                if (K >= 2) {
                    a1 = FloatVector.fromArray(F, a, ao + i + L).fma(FloatVector.fromArray(F, b, bo + i + L), a1);
                }
                if (K == 4) {
                    a2 = FloatVector.fromArray(F, a, ao + i + 2 * L).fma(FloatVector.fromArray(F, b, bo + i + 2 * L), a2);
                    a3 = FloatVector.fromArray(F, a, ao + i + 3 * L).fma(FloatVector.fromArray(F, b, bo + i + 3 * L), a3);
                }
            }
            store(a0, a1, a2, a3, lanes);
        }
        for (int i = groups * LANES; i < n; i++) {
            lanes[i & 15] = Math.fma(a[ao + i], b[bo + i], lanes[i & 15]);
        }
        return tree(lanes);
    }

    /**
     * Four dot products sharing {@code a}: {@code out[oo + j] = dot(a, x at xo + j * xStride)} for
     * j < 4, each bit-identical to {@link #dot}. Loading each weight vector once for four tokens is
     * what makes batched prefill faster than four single products.
     */
    public static void dot4(float[] a, int ao, float[] x, int xo, int xStride, int n, float[] out, int oo) {
        int groups = n / LANES;
        float[][] lanes = new float[4][LANES];
        int x0 = xo, x1 = xo + xStride, x2 = xo + 2 * xStride, x3 = xo + 3 * xStride;
        if (VectorWidth.SCALAR) {
            for (int j = 0; j < 4; j++) {
                accumulateScalar(a, ao, x, xo + j * xStride, groups * LANES, lanes[j]);
            }
        } else {
            FloatVector z = FloatVector.zero(F);
            FloatVector p0 = z, p1 = z, p2 = z, p3 = z, q0 = z, q1 = z, q2 = z, q3 = z;
            FloatVector r0 = z, r1 = z, r2 = z, r3 = z, s0 = z, s1 = z, s2 = z, s3 = z;
            for (int g = 0; g < groups; g++) {
                int i = g * LANES;
                FloatVector w = FloatVector.fromArray(F, a, ao + i);
                p0 = w.fma(FloatVector.fromArray(F, x, x0 + i), p0);
                q0 = w.fma(FloatVector.fromArray(F, x, x1 + i), q0);
                r0 = w.fma(FloatVector.fromArray(F, x, x2 + i), r0);
                s0 = w.fma(FloatVector.fromArray(F, x, x3 + i), s0);
                if (K >= 2) {
                    w = FloatVector.fromArray(F, a, ao + i + L);
                    p1 = w.fma(FloatVector.fromArray(F, x, x0 + i + L), p1);
                    q1 = w.fma(FloatVector.fromArray(F, x, x1 + i + L), q1);
                    r1 = w.fma(FloatVector.fromArray(F, x, x2 + i + L), r1);
                    s1 = w.fma(FloatVector.fromArray(F, x, x3 + i + L), s1);
                }
                if (K == 4) {
                    w = FloatVector.fromArray(F, a, ao + i + 2 * L);
                    p2 = w.fma(FloatVector.fromArray(F, x, x0 + i + 2 * L), p2);
                    q2 = w.fma(FloatVector.fromArray(F, x, x1 + i + 2 * L), q2);
                    r2 = w.fma(FloatVector.fromArray(F, x, x2 + i + 2 * L), r2);
                    s2 = w.fma(FloatVector.fromArray(F, x, x3 + i + 2 * L), s2);
                    w = FloatVector.fromArray(F, a, ao + i + 3 * L);
                    p3 = w.fma(FloatVector.fromArray(F, x, x0 + i + 3 * L), p3);
                    q3 = w.fma(FloatVector.fromArray(F, x, x1 + i + 3 * L), q3);
                    r3 = w.fma(FloatVector.fromArray(F, x, x2 + i + 3 * L), r3);
                    s3 = w.fma(FloatVector.fromArray(F, x, x3 + i + 3 * L), s3);
                }
            }
            store(p0, p1, p2, p3, lanes[0]);
            store(q0, q1, q2, q3, lanes[1]);
            store(r0, r1, r2, r3, lanes[2]);
            store(s0, s1, s2, s3, lanes[3]);
        }
        for (int j = 0; j < 4; j++) {
            int xj = xo + j * xStride;
            float[] l = lanes[j];
            for (int i = groups * LANES; i < n; i++) {
                l[i & 15] = Math.fma(a[ao + i], x[xj + i], l[i & 15]);
            }
            out[oo + j] = tree(l);
        }
    }

    /** Scalar reference of the canonical order over the first {@code n} elements (n a multiple of 16 or not). */
    static void accumulateScalar(float[] a, int ao, float[] b, int bo, int n, float[] lanes) {
        for (int i = 0; i < n; i++) {
            lanes[i & 15] = Math.fma(a[ao + i], b[bo + i], lanes[i & 15]);
        }
    }

    /** Writes the K accumulators of the vector path to the 16 canonical lanes. */
    static void store(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3, float[] lanes) {
        a0.intoArray(lanes, 0);
        if (K >= 2) {
            a1.intoArray(lanes, L);
        }
        if (K == 4) {
            a2.intoArray(lanes, 2 * L);
            a3.intoArray(lanes, 3 * L);
        }
    }

    /** The fixed pairwise reduction of 16 lanes (destroys {@code lanes}). */
    public static float tree(float[] lanes) {
        for (int s = LANES / 2; s >= 1; s >>= 1) {
            for (int l = 0; l < s; l++) {
                lanes[l] += lanes[l + s];
            }
        }
        return lanes[0];
    }
}
