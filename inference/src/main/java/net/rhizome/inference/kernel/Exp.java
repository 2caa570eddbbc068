package net.rhizome.inference.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * A float {@code exp} made only of exactly rounded IEEE operations (add, multiply, fma, min/max,
 * compare, integer bit assembly), so the scalar and every vector width give the same bits on any
 * machine, like {@link StrictMath#exp} but vectorisable: the activation and attention softmax
 * evaluate it tens of millions of times per prompt, where {@code StrictMath.exp} cost ~45 ns each.
 *
 * <p>Method (Cephes {@code expf}): {@code n = round(x / ln 2)} by the 1.5 * 2^23 rounding trick,
 * {@code r = x - n ln 2} with a two-part {@code ln 2}, a degree-7 polynomial for {@code e^r} on
 * {@code |r| <= ln(2)/2}, and {@code 2^n} assembled in the exponent bits. Within 2 ulp of the true
 * value for {@code x} in [-87, 88]; above that {@code +Infinity}, below it {@code 0}, NaN stays NaN.
 */
public final class Exp {
    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: adding it rounds |v| < 2^22 to an integer
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float LO = -87f, HI = 88f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    private Exp() {}

    /** {@code e^x}, the scalar statement every vector lane reproduces. */
    public static float exp(float x) {
        float c = Math.min(Math.max(x, LO), HI);
        float n = Math.fma(c, LOG2E, ROUND) - ROUND;
        float r = Math.fma(n, -LN2_HI, c);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(P0, r, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, r * r, r) + 1f;
        float e = y * Float.intBitsToFloat(((int) n + 127) << 23);
        return x > HI ? Float.POSITIVE_INFINITY : x < LO ? 0f : e;
    }

    /** {@link #exp(float)} of every lane. */
    public static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(LO).min(HI);
        FloatVector n = c.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(x.broadcast(-LN2_HI), c);
        r = n.fma(x.broadcast(-LN2_LO), r);
        FloatVector p = x.broadcast(P0).fma(r, x.broadcast(P1));
        p = p.fma(r, x.broadcast(P2));
        p = p.fma(r, x.broadcast(P3));
        p = p.fma(r, x.broadcast(P4));
        p = p.fma(r, x.broadcast(P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector e = y.mul(bits.reinterpretAsFloats());
        VectorMask<Float> over = x.compare(VectorOperators.GT, HI);
        VectorMask<Float> under = x.compare(VectorOperators.LT, LO);
        return e.blend(Float.POSITIVE_INFINITY, over).blend(0f, under);
    }
}
