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
            // stored here, not in a helper: vectors passed to a method C2 does not inline get boxed
            a0.intoArray(lanes, 0);
            if (K >= 2) {
                a1.intoArray(lanes, L);
            }
            if (K == 4) {
                a2.intoArray(lanes, 2 * L);
                a3.intoArray(lanes, 3 * L);
            }
        }
        for (int i = groups * LANES; i < n; i++) {
            lanes[i & 15] = Math.fma(a[ao + i], b[bo + i], lanes[i & 15]);
        }
        return tree(lanes);
    }

    /** Scalar reference of the canonical order over the first {@code n} elements (n a multiple of 16 or not). */
    static void accumulateScalar(float[] a, int ao, float[] b, int bo, int n, float[] lanes) {
        for (int i = 0; i < n; i++) {
            lanes[i & 15] = Math.fma(a[ao + i], b[bo + i], lanes[i & 15]);
        }
    }

    /** The fixed pairwise reduction of 16 lanes (destroys {@code lanes}). */
    public static float tree(float[] lanes) {
        return tree(lanes, 0);
    }

    /** {@link #tree(float[])} of the 16 lanes at {@code lanes[o ..]}, written out so the JIT keeps them in registers. */
    static float tree(float[] lanes, int o) {
        float l0 = lanes[o] + lanes[o + 8], l1 = lanes[o + 1] + lanes[o + 9], l2 = lanes[o + 2] + lanes[o + 10], l3 = lanes[o + 3] + lanes[o + 11];
        float l4 = lanes[o + 4] + lanes[o + 12], l5 = lanes[o + 5] + lanes[o + 13], l6 = lanes[o + 6] + lanes[o + 14], l7 = lanes[o + 7] + lanes[o + 15];
        l0 += l4;
        l1 += l5;
        l2 += l6;
        l3 += l7;
        l0 += l2;
        l1 += l3;
        return l0 + l1;
    }
}
