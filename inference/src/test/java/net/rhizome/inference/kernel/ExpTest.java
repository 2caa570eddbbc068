package net.rhizome.inference.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link Exp}: every vector lane equals the scalar statement bit for bit (so every width and the
 * scalar path agree), it stays within 2 ulp of {@link StrictMath#exp}, and the edges behave.
 * {@code DeterminismTest} repeats the width comparison end to end in child JVMs.
 */
class ExpTest {

    private static final float[] EDGES = {0f, -0f, 1f, -1f, 87.99f, 88f, 88.01f, -86.99f, -87f, -87.01f, 1e-30f, -1e-30f,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.34657359f, -0.34657359f};

    @Property(tries = 300)
    void withinTwoUlpOfStrictMath(@ForAll @FloatRange(min = -87f, max = 88f) float x) {
        float expected = (float) StrictMath.exp(x);
        float got = Exp.exp(x);
        assertThat(Math.abs(got - expected)).as("exp(%s) = %s, StrictMath %s", x, got, expected).isLessThanOrEqualTo(2 * Math.ulp(expected));
    }

    @Test
    void edges() {
        assertThat(Exp.exp(0f)).isEqualTo(1f);
        assertThat(Exp.exp(88.01f)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Exp.exp(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Exp.exp(-87.01f)).isZero();
        assertThat(Exp.exp(Float.NEGATIVE_INFINITY)).isZero();
        assertThat(Exp.exp(Float.NaN)).isNaN();
        assertThat(Exp.exp(-87f)).isPositive();
        assertThat(Exp.exp(88f)).isFinite();
    }

    @Property(tries = 100)
    void vectorLanesEqualTheScalarStatement(@ForAll @IntRange(min = 0, max = 200) int n, @ForAll long seed) {
        Random r = new Random(seed);
        float[] x = new float[n + EDGES.length];
        for (int i = 0; i < n; i++) {
            x[i] = switch (r.nextInt(3)) {
                case 0 -> (float) r.nextGaussian() * 4;
                case 1 -> (r.nextFloat() - 0.5f) * 200;
                default -> Float.intBitsToFloat(r.nextInt());
            };
        }
        System.arraycopy(EDGES, 0, x, n, EDGES.length);
        if (VectorWidth.SCALAR) {
            return;
        }
        for (int i = 0; i + VectorWidth.L <= x.length; i += VectorWidth.L) {
            float[] lanes = new float[VectorWidth.L];
            Exp.exp(jdk.incubator.vector.FloatVector.fromArray(VectorWidth.F, x, i)).intoArray(lanes, 0);
            for (int l = 0; l < lanes.length; l++) {
                assertThat(Float.floatToIntBits(lanes[l])).as("exp(%s)", x[i + l]).isEqualTo(Float.floatToIntBits(Exp.exp(x[i + l])));
            }
        }
    }

    /** swiglu and softmax mix vector bodies and scalar tails: any split of a range gives the same bits. */
    @Property(tries = 50)
    void swigluAndSoftmaxDoNotDependOnTheSplit(@ForAll @IntRange(min = 1, max = 100) int n, @ForAll @IntRange(min = 0, max = 100) int cut, @ForAll long seed) {
        Random r = new Random(seed);
        int split = Math.min(cut, n);
        float[] gate = new float[n], up = new float[n], s = new float[n];
        for (int i = 0; i < n; i++) {
            gate[i] = (float) r.nextGaussian() * 5;
            up[i] = (float) r.nextGaussian();
            s[i] = (float) r.nextGaussian() * 10;
        }
        float[] whole = gate.clone(), parts = gate.clone();
        Ops.swiglu(whole, up, 0, n);
        Ops.swiglu(parts, up, 0, split);
        Ops.swiglu(parts, up, split, n);
        assertThat(parts).isEqualTo(whole);
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            assertThat(Float.floatToIntBits(whole[i])).isEqualTo(Float.floatToIntBits(g / (1f + Exp.exp(-g)) * up[i]));
        }
        float[] soft = s.clone();
        Ops.softmax(soft, n);
        float max = Float.NEGATIVE_INFINITY;
        for (float v : s) {
            max = Math.max(max, v);
        }
        double sum = 0;
        float[] e = new float[n];
        for (int i = 0; i < n; i++) {
            e[i] = Exp.exp(s[i] - max);
            sum += e[i];
        }
        for (int i = 0; i < n; i++) {
            assertThat(Float.floatToIntBits(soft[i])).isEqualTo(Float.floatToIntBits(e[i] * (float) (1.0 / sum)));
        }
    }
}
