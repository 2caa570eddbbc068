package net.rhizome.net.dht;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one DHT node; {@link DhtNode#metrics()} returns a consistent-enough snapshot. */
public final class DhtMetrics {
    /** Counter values at one moment, plus the current table and storage sizes. */
    public record Snapshot(
            long queriesReceived,
            long queriesSent,
            long responsesReceived,
            long errorsReceived,
            long timeouts,
            long droppedRateLimited,
            long droppedMalformed,
            long lookups,
            int routingTableSize,
            int peersStored,
            int itemsStored) {}

    final LongAdder queriesReceived = new LongAdder();
    final LongAdder queriesSent = new LongAdder();
    final LongAdder responsesReceived = new LongAdder();
    final LongAdder errorsReceived = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder droppedRateLimited = new LongAdder();
    final LongAdder droppedMalformed = new LongAdder();
    final LongAdder lookups = new LongAdder();

    Snapshot snapshot(int tableSize, int peers, int items) {
        return new Snapshot(queriesReceived.sum(), queriesSent.sum(), responsesReceived.sum(), errorsReceived.sum(),
                timeouts.sum(), droppedRateLimited.sum(), droppedMalformed.sum(), lookups.sum(), tableSize, peers, items);
    }
}
