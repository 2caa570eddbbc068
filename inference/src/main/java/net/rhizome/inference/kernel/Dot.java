package net.rhizome.inference.kernel;

import static net.rhizome.inference.kernel.VectorWidth.F;
import static net.rhizome.inference.kernel.VectorWidth.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * The canonical float dot product every kernel reproduces bit for bit.
 *
 * <p>Definition: 32 partial sums; element {@code i} goes to lane {@code i mod 32} and is
 * accumulated in index order as {@code lane = fma(a[i], b[i], lane)}. The lanes are then summed by
 * a fixed pairwise tree: {@code lane[l] += lane[l + s]} for {@code s = 16, 8, 4, 2, 1}. A 512-bit
 * machine holds the 32 lanes in two vectors, 256-bit in four, 128-bit in eight (two passes of
 * four), the scalar path in 32 floats; lane-wise FMA is exactly rounded everywhere, so all of them
 * give identical bits. Why 32 and not 16: with one 512-bit accumulator each element waits for the
 * previous FMA's latency; two independent chains made the Q8_0 decode kernel 1.2-1.5x faster.
 */
public final class Dot {
    public static final int LANES = 32;
    /** Vectors a kernel keeps in registers per pass over a row: {@code min(4, LANES / L)}; 128-bit machines make two passes. */
    public static final int PASS_VECTORS = Math.min(4, LANES / L);
    /** Lanes covered by one pass. */
    public static final int PASS_LANES = PASS_VECTORS * L;

    // lane i takes lane i + s (512-bit only, where one vector holds 16 of the 32 lanes)
    private static final VectorShuffle<Float> DOWN_8 = down(8), DOWN_4 = down(4), DOWN_2 = down(2);

    private Dot() {}

    private static VectorShuffle<Float> down(int s) {
        return VectorShuffle.fromOp(F, i -> (i + s) % L);
    }

    /** {@code sum a[ao + i] * b[bo + i]} for {@code i < n} in the canonical order. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        return dot(a, ao, b, bo, n, new float[LANES]);
    }

    /** {@link #dot(float[], int, float[], int, int)} with a caller-owned 32-float scratch (overwritten), for hot loops. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n, float[] lanes) {
        java.util.Arrays.fill(lanes, 0f);
        int end = n / LANES * LANES;
        if (VectorWidth.SCALAR) {
            accumulateScalar(a, ao, b, bo, end, lanes);
        } else {
            for (int from = 0; from < LANES; from += PASS_LANES) {
                pass(a, ao, b, bo, end, from, lanes);
            }
        }
        for (int i = end; i < n; i++) {
            lanes[i & (LANES - 1)] = Math.fma(a[ao + i], b[bo + i], lanes[i & (LANES - 1)]);
        }
        return tree(lanes);
    }

    /**
     * {@code out[j] = dot(a[ao ..], b[bo + j * stride ..], n) * scale} for {@code j < count}, each dot
     * in the canonical order (attention's scores: one query against many keys). With 16 lanes and
     * {@code n} a multiple of 32, two rows at a time keep their lanes in registers through the tree,
     * so their latency chains overlap instead of each going through {@code lanes} in memory.
     */
    public static void dots(float[] a, int ao, float[] b, int bo, int stride, int count, int n, float scale, float[] out, float[] lanes) {
        int j = 0;
        if (L == 16 && n % LANES == 0) {
            for (; j + 1 < count; j += 2) {
                int b0 = bo + j * stride, b1 = b0 + stride;
                FloatVector x0 = FloatVector.zero(F), x1 = x0, y0 = x0, y1 = x0; // row j's lanes 0-15 and 16-31, then row j + 1's
                for (int i = 0; i < n; i += LANES) {
                    FloatVector low = FloatVector.fromArray(F, a, ao + i), high = FloatVector.fromArray(F, a, ao + i + 16);
                    x0 = low.fma(FloatVector.fromArray(F, b, b0 + i), x0);
                    x1 = high.fma(FloatVector.fromArray(F, b, b0 + i + 16), x1);
                    y0 = low.fma(FloatVector.fromArray(F, b, b1 + i), y0);
                    y1 = high.fma(FloatVector.fromArray(F, b, b1 + i + 16), y1);
                }
                FloatVector u = x0.add(x1), w = y0.add(y1); // the tree of tree(float[], int), written out for both rows
                u = u.add(u.rearrange(DOWN_8));
                w = w.add(w.rearrange(DOWN_8));
                u = u.add(u.rearrange(DOWN_4));
                w = w.add(w.rearrange(DOWN_4));
                u = u.add(u.rearrange(DOWN_2));
                w = w.add(w.rearrange(DOWN_2));
                out[j] = (u.lane(0) + u.lane(1)) * scale;
                out[j + 1] = (w.lane(0) + w.lane(1)) * scale;
            }
        }
        for (; j < count; j++) {
            out[j] = dot(a, ao, b, bo + j * stride, n, lanes) * scale;
        }
    }

    /** Lanes {@code from .. from + PASS_LANES} over the first {@code end} elements (a multiple of 32). */
    private static void pass(float[] a, int ao, float[] b, int bo, int end, int from, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int g = 0; g < end; g += LANES) {
            int i = g + from;
            a0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), a0);
            a1 = FloatVector.fromArray(F, a, ao + i + L).fma(FloatVector.fromArray(F, b, bo + i + L), a1);
            if (PASS_VECTORS == 4) {
                a2 = FloatVector.fromArray(F, a, ao + i + 2 * L).fma(FloatVector.fromArray(F, b, bo + i + 2 * L), a2);
                a3 = FloatVector.fromArray(F, a, ao + i + 3 * L).fma(FloatVector.fromArray(F, b, bo + i + 3 * L), a3);
            }
        }
        // stored here, not in a helper: vectors passed to a method C2 does not inline get boxed
        a0.intoArray(lanes, from);
        a1.intoArray(lanes, from + L);
        if (PASS_VECTORS == 4) {
            a2.intoArray(lanes, from + 2 * L);
            a3.intoArray(lanes, from + 3 * L);
        }
    }

    /** Scalar statement of the canonical order over the first {@code n} elements. */
    static void accumulateScalar(float[] a, int ao, float[] b, int bo, int n, float[] lanes) {
        for (int i = 0; i < n; i++) {
            lanes[i & (LANES - 1)] = Math.fma(a[ao + i], b[bo + i], lanes[i & (LANES - 1)]);
        }
    }

    /** The fixed pairwise reduction of the 32 lanes. */
    public static float tree(float[] lanes) {
        return tree(lanes, 0);
    }

    /**
     * {@link #tree(float[])} of the 32 lanes at {@code lanes[o ..]}. On 512-bit machines the halving
     * steps are lane shifts of one vector (lane i gets lane i + s); elsewhere it is written out so
     * the JIT keeps the lanes in registers.
     */
    static float tree(float[] lanes, int o) {
        if (L == 16) {
            FloatVector v = FloatVector.fromArray(F, lanes, o).add(FloatVector.fromArray(F, lanes, o + 16));
            v = v.add(v.rearrange(DOWN_8));
            v = v.add(v.rearrange(DOWN_4));
            v = v.add(v.rearrange(DOWN_2));
            return v.lane(0) + v.lane(1);
        }
        float h0 = lanes[o] + lanes[o + 16], h1 = lanes[o + 1] + lanes[o + 17], h2 = lanes[o + 2] + lanes[o + 18], h3 = lanes[o + 3] + lanes[o + 19];
        float h4 = lanes[o + 4] + lanes[o + 20], h5 = lanes[o + 5] + lanes[o + 21], h6 = lanes[o + 6] + lanes[o + 22], h7 = lanes[o + 7] + lanes[o + 23];
        float h8 = lanes[o + 8] + lanes[o + 24], h9 = lanes[o + 9] + lanes[o + 25], h10 = lanes[o + 10] + lanes[o + 26], h11 = lanes[o + 11] + lanes[o + 27];
        float h12 = lanes[o + 12] + lanes[o + 28], h13 = lanes[o + 13] + lanes[o + 29], h14 = lanes[o + 14] + lanes[o + 30], h15 = lanes[o + 15] + lanes[o + 31];
        float l0 = h0 + h8, l1 = h1 + h9, l2 = h2 + h10, l3 = h3 + h11;
        float l4 = h4 + h12, l5 = h5 + h13, l6 = h6 + h14, l7 = h7 + h15;
        l0 += l4;
        l1 += l5;
        l2 += l6;
        l3 += l7;
        l0 += l2;
        l1 += l3;
        return l0 + l1;
    }
}
