package net.rhizome.market.pricing;

/**
 * Load of one model across the workers serving it at one moment: jobs running, jobs queued, and total
 * capacity (concurrent job slots). Built from workers' node records and the gateway's own queue.
 */
public record DemandSample(int running, int queued, int capacity) {
    public DemandSample {
        if (running < 0 || queued < 0 || capacity < 0) {
            throw new IllegalArgumentException("demand counts must not be negative: " + running + "/" + queued + "/" + capacity);
        }
    }

    /** (running + queued) per slot, in per mille; an unserved model with waiting jobs counts as saturated. */
    public long pressurePerMille() {
        long demand = (long) running + queued;
        if (capacity == 0) {
            return demand == 0 ? 0 : PriceMultiplier.SATURATED_PRESSURE;
        }
        return Math.min(PriceMultiplier.SATURATED_PRESSURE, demand * 1000 / capacity);
    }
}
