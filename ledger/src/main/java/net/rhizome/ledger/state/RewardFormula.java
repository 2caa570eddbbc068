package net.rhizome.ledger.state;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.GenesisConfig.RewardParams;
import net.rhizome.ledger.Hash32;

/**
 * Epoch rewards, all in one place. At the end of each epoch:
 * <ol>
 *   <li>emission = min(schedule(epoch), reward pool); the pool for role r is emission × split_r / 1000;</li>
 *   <li>an account is eligible for a role when registered for it with at least the role's minimum staked;
 *       its stake weight is min(stake, cap), cap = the nearest-rank {@code stakeCapPercentile}-th
 *       percentile of all eligible accounts' stakes (88 by default), so whales cannot buy most of the pool;</li>
 *   <li>reputation multiplier (per mille) = linear from {@code reputationMin} at 0 to {@code reputationMax} at 1000;</li>
 *   <li>demand multiplier of model m (per mille) = 1000 × (m's share of tokens) / (m's share of worker listings),
 *       clamped to [{@code demandMin}, {@code demandMax}]: a model many users want but few workers serve pays more;</li>
 *   <li>score: worker = Σ_m tokens(w,m) × demand(m) × rep(w) × weight(w); auditor = audits × rep × weight;
 *       scanner = scans × rep × weight;</li>
 *   <li>payout = rolePool × score / total role score, rounded down.</li>
 * </ol>
 * Everything is exact integer arithmetic (BigInteger for the products). What rounding leaves
 * unpaid, and the pool of a role nobody earned, stays in the reward pool, so the RHZ supply
 * identity holds exactly. Epoch counters and work tallies are then reset.
 */
public final class RewardFormula {
    private static final BigInteger THOUSAND = BigInteger.valueOf(1000);

    private final GenesisConfig genesis;

    public RewardFormula(GenesisConfig genesis) {
        this.genesis = genesis;
    }

    /** What one epoch paid. */
    public record EpochPayout(long epoch, long emission, long paid, Map<PeerId, Long> rewards) {}

    /** Computes and applies the rewards of the epoch that ends now, and resets the epoch counters. */
    public EpochPayout payEpoch(LedgerState state) {
        List<Account> accounts = state.all(Account.class);
        List<WorkTally> tallies = state.all(WorkTally.class);
        Totals totals = state.totals();
        long epoch = totals.epochsPaid();
        long emission = Math.min(genesis.emission().forEpoch(epoch), totals.rewardPool());
        Map<PeerId, Long> rewards = compute(accounts, tallies, emission);
        long paid = rewards.values().stream().mapToLong(Long::longValue).sum();

        StateChanges c = state.begin();
        for (Account a : accounts) {
            long r = rewards.getOrDefault(a.id(), 0L);
            if (r > 0 || a.audits() > 0 || a.scans() > 0) {
                c.put(a.withRhz(Math.addExact(a.rhz(), r)).withEpochCounts(0, 0));
            }
        }
        tallies.forEach(t -> c.remove(t.key()));
        c.put(totals.withRewardPool(totals.rewardPool() - paid).withEpochsPaid(epoch + 1));
        state.commit(c);
        return new EpochPayout(epoch, emission, paid, rewards);
    }

    /** The payout per account for an epoch emitting {@code emission}; sums to at most {@code emission}. */
    Map<PeerId, Long> compute(List<Account> accounts, List<WorkTally> tallies, long emission) {
        RewardParams p = genesis.rewards();
        var mins = genesis.minStakes();
        Map<PeerId, Account> workers = new HashMap<>();
        List<Account> auditors = new ArrayList<>();
        List<Account> scanners = new ArrayList<>();
        List<Long> stakes = new ArrayList<>();
        for (Account a : accounts) {
            boolean w = a.hasRole(Account.ROLE_WORKER) && a.staked() >= mins.worker();
            boolean au = a.hasRole(Account.ROLE_AUDITOR) && a.staked() >= mins.auditor();
            boolean sc = a.hasRole(Account.ROLE_SCANNER) && a.staked() >= mins.scanner();
            if (w) workers.put(a.id(), a);
            if (au) auditors.add(a);
            if (sc) scanners.add(a);
            if (w || au || sc) stakes.add(a.staked());
        }
        long cap = percentile(stakes, p.stakeCapPercentile());
        Map<Hash32, Long> demand = demandMultipliers(workers, tallies, p);

        Map<PeerId, BigInteger> workerScores = new TreeMap<>();
        for (WorkTally t : tallies) {
            Account w = workers.get(t.worker());
            if (w != null) {
                BigInteger s = BigInteger.valueOf(t.tokens()).multiply(BigInteger.valueOf(demand.get(t.model())))
                        .multiply(weight(w, cap, p));
                workerScores.merge(w.id(), s, BigInteger::add);
            }
        }
        Map<PeerId, BigInteger> auditorScores = new TreeMap<>();
        auditors.forEach(a -> auditorScores.put(a.id(), BigInteger.valueOf(a.audits()).multiply(weight(a, cap, p))));
        Map<PeerId, BigInteger> scannerScores = new TreeMap<>();
        scanners.forEach(a -> scannerScores.put(a.id(), BigInteger.valueOf(a.scans()).multiply(weight(a, cap, p))));

        Map<PeerId, Long> out = new TreeMap<>();
        split(emission, p.workersPerMille(), workerScores, out);
        split(emission, p.auditorsPerMille(), auditorScores, out);
        split(emission, p.scannersPerMille(), scannerScores, out);
        return out;
    }

    /** Reputation multiplier × capped stake. */
    private static BigInteger weight(Account a, long cap, RewardParams p) {
        long rep = Reputation.multiplierPerMille(a.reputation(), p.reputationMinPerMille(), p.reputationMaxPerMille());
        return BigInteger.valueOf(rep).multiply(BigInteger.valueOf(Math.min(a.staked(), cap)));
    }

    private static void split(long emission, long perMille, Map<PeerId, BigInteger> scores, Map<PeerId, Long> out) {
        BigInteger total = scores.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
        if (total.signum() == 0) {
            return;
        }
        BigInteger pool = BigInteger.valueOf(emission).multiply(BigInteger.valueOf(perMille)).divide(THOUSAND);
        scores.forEach((id, score) -> {
            long r = pool.multiply(score).divide(total).longValueExact();
            if (r > 0) {
                out.merge(id, r, Math::addExact);
            }
        });
    }

    private static Map<Hash32, Long> demandMultipliers(Map<PeerId, Account> workers, List<WorkTally> tallies, RewardParams p) {
        Map<Hash32, Long> listings = new HashMap<>();
        workers.values().forEach(w -> w.models().forEach(m -> listings.merge(m, 1L, Long::sum)));
        Map<Hash32, Long> tokens = new HashMap<>();
        for (WorkTally t : tallies) {
            if (workers.containsKey(t.worker())) {
                tokens.merge(t.model(), t.tokens(), Math::addExact);
            }
        }
        long totalListings = listings.values().stream().mapToLong(Long::longValue).sum();
        BigInteger totalTokens = BigInteger.valueOf(tokens.values().stream().mapToLong(Long::longValue).sum());
        Map<Hash32, Long> out = new HashMap<>();
        for (WorkTally t : tallies) {
            out.computeIfAbsent(t.model(), m -> {
                if (totalTokens.signum() == 0) {
                    return 1000L;
                }
                long served = Math.max(1, listings.getOrDefault(m, 0L));
                BigInteger num = THOUSAND.multiply(BigInteger.valueOf(tokens.getOrDefault(m, 0L)))
                        .multiply(BigInteger.valueOf(Math.max(1, totalListings)));
                BigInteger den = totalTokens.multiply(BigInteger.valueOf(served));
                BigInteger ratio = num.divide(den);
                return ratio.max(BigInteger.valueOf(p.demandMinPerMille())).min(BigInteger.valueOf(p.demandMaxPerMille())).longValueExact();
            });
        }
        return out;
    }

    /** Nearest-rank percentile: the smallest value with at least {@code pct}% of values at or below it; 0 when empty. */
    static long percentile(List<Long> values, int pct) {
        if (values.isEmpty()) {
            return 0;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        int rank = (int) ((sorted.length * (long) pct + 99) / 100);
        return sorted[Math.max(1, rank) - 1];
    }
}
