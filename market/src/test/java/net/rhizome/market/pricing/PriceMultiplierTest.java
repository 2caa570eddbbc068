package net.rhizome.market.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PriceMultiplierTest {

    @Test
    void staysAtBaseWhileUtilisationIsModerate() {
        PriceMultiplier m = new PriceMultiplier();
        for (int i = 0; i < 50; i++) {
            m.update(new DemandSample(8, 0, 10));
        }
        assertThat(m.perMille()).isEqualTo(PriceMultiplier.BASE);
    }

    @Test
    void risesWithQueueAndDecaysToBaseWhenIdle() {
        PriceMultiplier m = new PriceMultiplier();
        int previous = m.perMille();
        for (int i = 0; i < 10; i++) {
            int now = m.update(new DemandSample(10, 10, 10));
            assertThat(now).isGreaterThan(previous);
            previous = now;
        }
        assertThat(previous).isGreaterThan(3000).isLessThanOrEqualTo(3400);
        for (int i = 0; i < 200; i++) {
            int now = m.update(new DemandSample(0, 0, 10));
            assertThat(now).isLessThanOrEqualTo(previous);
            previous = now;
        }
        assertThat(m.perMille()).isEqualTo(PriceMultiplier.BASE);
    }

    @Test
    void rollsUpFasterThanItDecays() {
        PriceMultiplier up = new PriceMultiplier();
        up.update(new DemandSample(10, 10, 10));
        int rise = up.perMille() - PriceMultiplier.BASE;
        int before = up.perMille();
        up.update(new DemandSample(0, 0, 10));
        assertThat(before - up.perMille()).isLessThan(rise);
    }

    @Test
    void targetsFollowThePublishedFormula() {
        assertThat(PriceMultiplier.target(new DemandSample(0, 0, 0))).isEqualTo(1000);
        assertThat(PriceMultiplier.target(new DemandSample(10, 0, 10))).isEqualTo(1400);
        assertThat(PriceMultiplier.target(new DemandSample(10, 10, 10))).isEqualTo(3400);
        assertThat(PriceMultiplier.target(new DemandSample(0, 1, 0))).isEqualTo(PriceMultiplier.MAX);
        assertThatThrownBy(() -> new DemandSample(-1, 0, 1)).hasMessageContaining("negative");
    }

    @Test
    void applyRoundsUp() {
        assertThat(PriceMultiplier.apply(3, 1000)).isEqualTo(3);
        assertThat(PriceMultiplier.apply(3, 1001)).isEqualTo(4);
        assertThat(PriceMultiplier.apply(1000, 1400)).isEqualTo(1400);
        assertThatThrownBy(() -> PriceMultiplier.apply(3, 999)).hasMessageContaining("out of range");
    }

    @Property(tries = 300)
    void alwaysWithinBoundsAndMovingTowardsTheTarget(
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 200) Integer> queues,
            @ForAll @IntRange(min = 0, max = 50) int capacity) {
        PriceMultiplier m = new PriceMultiplier();
        for (int queued : queues) {
            int before = m.perMille();
            DemandSample sample = new DemandSample(Math.min(queued, capacity), Math.max(0, queued - capacity), capacity);
            int target = PriceMultiplier.target(sample);
            int after = m.update(sample);
            assertThat(after).isBetween(PriceMultiplier.BASE, PriceMultiplier.MAX);
            assertThat(Math.abs(target - after)).isLessThanOrEqualTo(Math.abs(target - before));
            assertThat(Integer.signum(after - before)).isIn(0, Integer.signum(target - before));
        }
    }
}
