package net.rhizome.market.selection;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import net.rhizome.core.crypto.Hashes;

/**
 * Stake-weighted rendezvous selection of the worker for a job, recomputable by anyone from public
 * data (job id, latest block hash, the ledger's stakes and reputations, node records).
 *
 * <p>For job {@code j} with public seed {@code s}, worker {@code w} draws
 * {@code u = (SHA-256(j ‖ s ‖ w) + 1) / 2^256}, a uniform fraction in (0, 1]. Its score is
 * {@code -log2(u) / (stake(w) · bonus(w))}; the lowest score wins and the rest, in order, are the
 * fail-over list. {@code -log2(u)} is an exponential draw, so a worker wins a share of jobs exactly
 * proportional to {@code stake · bonus}. (The plain {@code u / stake} of the first architecture draft
 * favours large stakes more than proportionally: with stakes 2 and 1 the larger wins 3/4 of jobs.)
 *
 * <p>Near ties are broken by {@code bonus}, a per-mille factor from public data: {@code 1000 + 5 ·
 * reputationTier + 2 · speedTier} with {@code reputationTier = reputation / 250} (0..4) and
 * {@code speedTier} the number of thresholds 1, 10, 100, 1000 tokens/s reached (0..4). It is at most
 * 2.8% so it only reorders workers whose stake-weighted draws are that close. Because each score
 * depends on its own worker alone, removing a worker only reassigns the jobs that worker had won.
 *
 * <p>All comparisons are exact: {@code -log2(u)} is a 64-fraction-bit integer computed by integer
 * squaring, and scores are compared by cross-multiplication; an exact tie falls to the smaller peer id.
 */
public final class WorkerSelection {
    public static final int JOB_ID_LENGTH = 32;
    public static final int SEED_LENGTH = 32;

    private WorkerSelection() {}

    /** Every candidate ranked best first: element 0 serves the job, the next ones are the fail-over order. */
    public static List<Candidate> rank(byte[] jobId, byte[] seed, Collection<Candidate> candidates) {
        requireLength(jobId, JOB_ID_LENGTH, "job id");
        requireLength(seed, SEED_LENGTH, "public seed");
        var seen = new HashSet<>();
        List<Scored> scored = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            if (!seen.add(c.worker())) {
                throw new IllegalArgumentException("worker " + c.worker().shortId() + " is listed twice");
            }
            scored.add(new Scored(c, draw(jobId, seed, c)));
        }
        scored.sort(Scored.ORDER);
        return scored.stream().map(Scored::candidate).toList();
    }

    /** The winner, or empty when no worker is eligible. */
    public static Optional<Candidate> select(byte[] jobId, byte[] seed, Collection<Candidate> candidates) {
        List<Candidate> ranked = rank(jobId, seed, candidates);
        return ranked.isEmpty() ? Optional.empty() : Optional.of(ranked.getFirst());
    }

    /** {@code -log2(u)} in 64-fraction-bit fixed point for this worker's draw. */
    static BigInteger draw(byte[] jobId, byte[] seed, Candidate c) {
        BigInteger h = new BigInteger(1, Hashes.sha256(jobId, seed, c.worker().bytes()));
        return FixedPointLog2.negLog2(h.add(BigInteger.ONE), 256);
    }

    /** The near-tie factor in per mille (1000..1028). */
    public static int bonusPerMille(Candidate c) {
        return 1000 + 5 * (c.reputation() / 250) + 2 * speedTier(c.tokensPerSecond());
    }

    /** 0 below 1 token/s, then one tier per factor of ten up to 4 at 1000 tokens/s and more. */
    static int speedTier(long tokensPerSecond) {
        int tier = 0;
        for (long limit = 1; tier < 4 && tokensPerSecond >= limit; limit *= 10) {
            tier++;
        }
        return tier;
    }

    private static void requireLength(byte[] bytes, int length, String what) {
        if (bytes == null || bytes.length != length) {
            throw new IllegalArgumentException(what + " must be " + length + " bytes, got "
                    + (bytes == null ? "none" : bytes.length));
        }
    }

    private record Scored(Candidate candidate, BigInteger draw) {
        /** draw / (stake · bonus) compared as draw_a · weight_b vs draw_b · weight_a. */
        static final Comparator<Scored> ORDER = (a, b) -> {
            int cmp = a.draw.multiply(b.weight()).compareTo(b.draw.multiply(a.weight()));
            return cmp != 0 ? cmp : a.candidate.worker().compareTo(b.candidate.worker());
        };

        BigInteger weight() {
            return BigInteger.valueOf(candidate.stake()).multiply(BigInteger.valueOf(bonusPerMille(candidate)));
        }
    }
}
