package net.rhizome.market.selection;

import java.util.Objects;
import net.rhizome.core.crypto.PeerId;

/**
 * A worker eligible for a job, with the public facts selection uses: its stake (RHZ base units, from
 * the ledger), its reputation (0..1000, from the ledger) and its measured speed (tokens per second,
 * from its signed node record).
 */
public record Candidate(PeerId worker, long stake, int reputation, long tokensPerSecond) {
    public Candidate {
        Objects.requireNonNull(worker, "worker");
        if (stake <= 0) {
            throw new IllegalArgumentException("stake of " + worker.shortId() + " must be positive, got " + stake);
        }
        if (reputation < 0 || reputation > 1000) {
            throw new IllegalArgumentException("reputation must be 0..1000, got " + reputation);
        }
        if (tokensPerSecond < 0) {
            throw new IllegalArgumentException("tokens per second must not be negative, got " + tokensPerSecond);
        }
    }
}
