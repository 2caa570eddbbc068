package net.rhizome.net.dht;

import java.net.InetAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-source-IP token buckets: each IP may send {@code perSecond} datagrams a second on average,
 * with bursts up to {@code burst}. Tracks at most {@code maxSources} IPs; when full, idle
 * (completely refilled) buckets are forgotten first, and if none is idle the newcomer is refused.
 */
public final class RateLimiter {
    private final double perSecond;
    private final double burst;
    private final int maxSources;
    private final Clock clock;
    private final Map<InetAddress, double[]> buckets = new HashMap<>();

    public RateLimiter(double perSecond, double burst, int maxSources, Clock clock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxSources = maxSources;
        this.clock = clock;
    }

    /** Whether one more datagram from {@code source} is allowed now. */
    public synchronized boolean allow(InetAddress source) {
        long now = clock.millis();
        double[] b = buckets.get(source);
        if (b == null) {
            if (buckets.size() >= maxSources && !purgeIdle(now)) {
                return false;
            }
            b = new double[] {burst, now};
            buckets.put(source, b);
        }
        refill(b, now);
        if (b[0] < 1) {
            return false;
        }
        b[0] -= 1;
        return true;
    }

    private boolean purgeIdle(long now) {
        int before = buckets.size();
        buckets.values().removeIf(b -> {
            refill(b, now);
            return b[0] >= burst;
        });
        return buckets.size() < before;
    }

    private void refill(double[] b, long now) {
        b[0] = Math.min(burst, b[0] + (now - (long) b[1]) * perSecond / 1000.0);
        b[1] = now;
    }
}
