package net.rhizome.market.worker;

import java.util.Optional;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.job.WorkerChannel;

/** The payment channels paying this worker, as the ledger shows them (kept up to date with top-ups). */
@FunctionalInterface
public interface WorkerChannels {
    /**
     * The channel for a job that may earn up to {@code needed} credits on it; empty when the ledger shows
     * no open channel paying this worker under that id.
     */
    Optional<WorkerChannel> channel(Hash32 channelId, long needed);
}
