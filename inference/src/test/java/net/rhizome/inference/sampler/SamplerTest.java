package net.rhizome.inference.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SamplerTest {
    @Property(tries = 200)
    void counterRngIsAPureFunctionInTheUnitInterval(@ForAll long seed, @ForAll String job, @ForAll long pos) {
        double u = CounterRng.uniform(seed, job, pos);
        assertThat(u).isGreaterThanOrEqualTo(0).isLessThan(1).isEqualTo(CounterRng.uniform(seed, job, pos));
    }

    @Test
    void counterRngDependsOnEveryKeyPart() {
        double u = CounterRng.uniform(1, "a", 0);
        assertThat(CounterRng.uniform(2, "a", 0)).isNotEqualTo(u);
        assertThat(CounterRng.uniform(1, "b", 0)).isNotEqualTo(u);
        assertThat(CounterRng.uniform(1, "a", 1)).isNotEqualTo(u);
    }

    @Test
    void greedyTakesTheLowestIdAmongEqualMaxima() {
        float[] l = {0f, 3f, 1f, 3f};
        assertThat(Sampler.sample(l, 0, 4, new int[0], 0, SamplingParams.greedy(1), "j", 0)).isEqualTo(1);
    }

    @Test
    void topKOfOneIsGreedyAndRepetitionPenaltyDemotesRecentTokens() {
        float[] l = {1f, 2f, 1.9f, -5f};
        SamplingParams k1 = new SamplingParams(1.5f, 1, 1f, 0f, 1f, 64, 10, List.of(), 5);
        for (int pos = 0; pos < 20; pos++) {
            assertThat(Sampler.sample(l, 0, 4, new int[0], 0, k1, "j", pos)).isEqualTo(1);
        }
        SamplingParams penalised = new SamplingParams(0f, 0, 1f, 0f, 1.2f, 64, 10, List.of(), 5);
        assertThat(Sampler.sample(l, 0, 4, new int[] {1}, 1, penalised, "j", 0)).isEqualTo(2);
    }

    @Test
    void samplingFollowsTheDistribution() {
        float[] l = {(float) Math.log(0.7), (float) Math.log(0.2), (float) Math.log(0.1)};
        SamplingParams p = new SamplingParams(1f, 0, 1f, 0f, 1f, 64, 10, List.of(), 11);
        int[] counts = new int[3];
        for (int pos = 0; pos < 4000; pos++) {
            counts[Sampler.sample(l, 0, 3, new int[0], 0, p, "job", pos)]++;
        }
        assertThat(counts[0]).isBetween(2650, 2950);
        assertThat(counts[1]).isBetween(690, 910);
        SamplingParams topP = p.withTopP(0.6f);
        for (int pos = 0; pos < 100; pos++) {
            assertThat(Sampler.sample(l, 0, 3, new int[0], 0, topP, "job", pos)).isZero();
        }
    }

    @Test
    void invalidParametersAreNamed() {
        assertThatThrownBy(() -> new SamplingParams(-1f, 0, 1f, 0f, 1f, 64, 10, List.of(), 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingParams(1f, 0, 0f, 0f, 1f, 64, 10, List.of(), 0)).hasMessageContaining("top-p");
        assertThatThrownBy(() -> new SamplingParams(1f, 0, 1f, 0f, 1f, 64, 10, List.of(""), 0)).hasMessageContaining("stop strings");
    }
}
