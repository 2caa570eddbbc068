package net.rhizome.market.pricing;

/**
 * The dynamic price multiplier of one model, in per mille (1000 = the workers' listed price).
 *
 * <p>Demand pressure is (running + queued) jobs per capacity slot. Up to {@link #CALM_PRESSURE} (80%
 * utilisation) the target is 1000; beyond it the target rises by 2 per mille for each per mille of
 * pressure, so full utilisation targets 1400 and a queue as long as the capacity 3400, capped at
 * {@link #MAX}. Each {@link #update} moves a quarter of the way up towards a higher target (demand is
 * answered quickly) and an eighth of the way down (prices fall gently when idle), at least one per mille,
 * in integers only. Not thread-safe; one scheduler updates it and readers take {@link #perMille()}.
 */
public final class PriceMultiplier {
    public static final int BASE = 1000;
    public static final int MAX = 10_000;
    static final long CALM_PRESSURE = 800;
    static final long SATURATED_PRESSURE = 100_000;

    private int perMille = BASE;

    public int perMille() {
        return perMille;
    }

    /** The target for a demand sample: what the multiplier converges to if demand stays the same. */
    public static int target(DemandSample demand) {
        long pressure = demand.pressurePerMille();
        if (pressure <= CALM_PRESSURE) {
            return BASE;
        }
        return (int) Math.min(MAX, BASE + 2 * (pressure - CALM_PRESSURE));
    }

    /** One step towards the target of {@code demand}; returns the new multiplier. */
    public int update(DemandSample demand) {
        int target = target(demand);
        if (target > perMille) {
            perMille += Math.max(1, (target - perMille) / 4);
        } else if (target < perMille) {
            perMille -= Math.max(1, (perMille - target) / 8);
        }
        return perMille;
    }

    /** {@code basePrice · multiplier}, rounded up so a raised price never rounds back to the base. */
    public static long apply(long basePrice, int perMille) {
        if (basePrice < 0 || perMille < BASE || perMille > MAX) {
            throw new IllegalArgumentException("price " + basePrice + " or multiplier " + perMille + " out of range");
        }
        return Math.ceilDiv(Math.multiplyExact(basePrice, perMille), BASE);
    }
}
