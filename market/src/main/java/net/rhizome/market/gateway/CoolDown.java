package net.rhizome.market.gateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import net.rhizome.core.crypto.PeerId;

/**
 * Workers that failed a job rest before they are chosen again: 5 s after one failure, doubling with
 * each further failure in a row up to 5 minutes; a completed job clears the record. Thread-safe.
 */
public final class CoolDown {
    static final Duration FIRST = Duration.ofSeconds(5);
    static final Duration LONGEST = Duration.ofMinutes(5);

    private record State(int failures, Instant until) {}

    private final Clock clock;
    private final Map<PeerId, State> states = new HashMap<>();

    public CoolDown(Clock clock) {
        this.clock = clock;
    }

    public synchronized void failed(PeerId worker) {
        int failures = states.containsKey(worker) ? states.get(worker).failures() + 1 : 1;
        Duration rest = FIRST.multipliedBy(1L << Math.min(failures - 1, 16));
        if (rest.compareTo(LONGEST) > 0) {
            rest = LONGEST;
        }
        states.put(worker, new State(failures, clock.instant().plus(rest)));
    }

    public synchronized void succeeded(PeerId worker) {
        states.remove(worker);
    }

    public synchronized boolean resting(PeerId worker) {
        State s = states.get(worker);
        return s != null && clock.instant().isBefore(s.until());
    }
}
