package net.rhizome.ledger;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.codec.Writer;

/**
 * Everything fixed at genesis. Its canonical encoding hashes to the genesis hash, which is the
 * "previous hash" of block 0, so two ledgers with different configs never share a chain.
 *
 * @param creditIssuer the only account that may mint credits (the devnet faucet)
 * @param allocations  RHZ and credits each account starts with (kept sorted by account)
 * @param rewardPool   RHZ set aside at genesis for epoch rewards; total RHZ supply is the allocations plus this
 */
public record GenesisConfig(String chainName, long timestampMillis, PeerId creditIssuer, List<Allocation> allocations,
                            long rewardPool, Emission emission, long epochBlocks, long unbondingBlocks,
                            long blockIntervalMillis, MinStakes minStakes, RewardParams rewards, DisputeParams disputes) {
    public static final int MAX_ALLOCATIONS = 10_000;

    public record Allocation(PeerId account, long rhz, long credits) {
        public Allocation {
            Objects.requireNonNull(account, "allocation account");
            if (rhz < 0 || credits < 0) {
                throw new IllegalArgumentException("genesis allocation must not be negative");
            }
        }
    }

    /** RHZ emitted per epoch: {@code initialPerEpoch}, halved every {@code halvingEpochs}, never more than the pool holds. */
    public record Emission(long initialPerEpoch, long halvingEpochs) {
        public Emission {
            if (initialPerEpoch < 0 || halvingEpochs <= 0) {
                throw new IllegalArgumentException("emission needs initialPerEpoch >= 0 and halvingEpochs > 0");
            }
        }

        public long forEpoch(long epoch) {
            long halvings = epoch / halvingEpochs;
            return halvings >= 63 ? 0 : initialPerEpoch >> halvings;
        }
    }

    public record MinStakes(long worker, long auditor, long scanner) {
        public MinStakes {
            if (worker <= 0 || auditor <= 0 || scanner <= 0) {
                throw new IllegalArgumentException("minimum stakes must be positive");
            }
        }
    }

    /**
     * Constants of {@link net.rhizome.ledger.state.RewardFormula}: the split of each epoch's emission between roles, the stake
     * cap percentile, and the ranges of the reputation and demand multipliers, all per mille.
     */
    public record RewardParams(long workersPerMille, long auditorsPerMille, long scannersPerMille, int stakeCapPercentile,
                               long reputationMinPerMille, long reputationMaxPerMille,
                               long demandMinPerMille, long demandMaxPerMille) {
        public RewardParams {
            if (workersPerMille < 0 || auditorsPerMille < 0 || scannersPerMille < 0
                    || workersPerMille + auditorsPerMille + scannersPerMille > 1000) {
                throw new IllegalArgumentException("reward split must be non-negative per-mille values summing to at most 1000");
            }
            if (stakeCapPercentile < 1 || stakeCapPercentile > 100) {
                throw new IllegalArgumentException("stake cap percentile must be 1..100, got " + stakeCapPercentile);
            }
            if (reputationMinPerMille < 0 || reputationMaxPerMille < reputationMinPerMille || reputationMaxPerMille > 10_000
                    || demandMinPerMille < 0 || demandMaxPerMille < demandMinPerMille || demandMaxPerMille > 10_000) {
                throw new IllegalArgumentException("multiplier ranges must satisfy 0 <= min <= max <= 10000");
            }
        }
    }

    /**
     * @param quorum                   votes needed before a challenge can be resolved; a strict majority of them decides
     * @param slashPerMille            fraction of the loser's stake (staked + unbonding) taken when a challenge is upheld
     * @param challengerRewardPerMille fraction of the slashed stake paid to the challenger; the rest goes to the reward pool
     */
    public record DisputeParams(long minBond, int quorum, long slashPerMille, long challengerRewardPerMille) {
        public DisputeParams {
            if (minBond <= 0 || quorum < 1 || quorum > 255 || slashPerMille < 0 || slashPerMille > 1000
                    || challengerRewardPerMille < 0 || challengerRewardPerMille > 1000) {
                throw new IllegalArgumentException("dispute parameters out of range");
            }
        }
    }

    public GenesisConfig {
        Objects.requireNonNull(chainName, "chain name");
        Objects.requireNonNull(creditIssuer, "credit issuer");
        Objects.requireNonNull(emission, "emission");
        Objects.requireNonNull(minStakes, "min stakes");
        Objects.requireNonNull(rewards, "reward params");
        Objects.requireNonNull(disputes, "dispute params");
        // canonical order, so the genesis hash does not depend on how allocations were listed
        allocations = allocations.stream().sorted(java.util.Comparator.comparing(Allocation::account)).toList();
        if (chainName.isEmpty() || chainName.length() > 64) {
            throw new IllegalArgumentException("chain name must be 1..64 characters");
        }
        if (allocations.size() > MAX_ALLOCATIONS) {
            throw new IllegalArgumentException("at most " + MAX_ALLOCATIONS + " genesis allocations, got " + allocations.size());
        }
        var seen = new HashSet<PeerId>();
        long rhz = rewardPool;
        long credits = 0;
        for (Allocation a : allocations) {
            if (!seen.add(a.account())) {
                throw new IllegalArgumentException("account " + a.account().shortId() + " allocated twice at genesis");
            }
            rhz = Math.addExact(rhz, a.rhz());
            credits = Math.addExact(credits, a.credits());
        }
        if (rewardPool < 0 || epochBlocks <= 0 || unbondingBlocks < 0 || blockIntervalMillis <= 0) {
            throw new IllegalArgumentException("reward pool, epoch length, unbonding period and block interval must be positive");
        }
    }

    /** RHZ supply: every allocation plus the reward pool. */
    public long rhzSupply() {
        return allocations.stream().mapToLong(Allocation::rhz).reduce(rewardPool, Math::addExact);
    }

    public long initialCredits() {
        return allocations.stream().mapToLong(Allocation::credits).reduce(0, Math::addExact);
    }

    public byte[] encode() {
        Writer w = new Writer(256 + allocations.size() * 48);
        w.u8(1).bytes(chainName.getBytes(StandardCharsets.UTF_8)).i64(timestampMillis).peer(creditIssuer);
        w.i64(allocations.size());
        allocations.forEach(a -> w.peer(a.account()).i64(a.rhz()).i64(a.credits()));
        w.i64(rewardPool).i64(emission.initialPerEpoch()).i64(emission.halvingEpochs());
        w.i64(epochBlocks).i64(unbondingBlocks).i64(blockIntervalMillis);
        w.i64(minStakes.worker()).i64(minStakes.auditor()).i64(minStakes.scanner());
        w.i64(rewards.workersPerMille()).i64(rewards.auditorsPerMille()).i64(rewards.scannersPerMille()).u8(rewards.stakeCapPercentile());
        w.i64(rewards.reputationMinPerMille()).i64(rewards.reputationMaxPerMille());
        w.i64(rewards.demandMinPerMille()).i64(rewards.demandMaxPerMille());
        w.i64(disputes.minBond()).u8(disputes.quorum()).i64(disputes.slashPerMille()).i64(disputes.challengerRewardPerMille());
        return w.toByteArray();
    }

    /** Reads what {@link #encode()} wrote; refuses anything else with a message naming the field. */
    public static GenesisConfig decode(byte[] bytes) throws net.rhizome.ledger.codec.DecodeException {
        var r = new net.rhizome.ledger.codec.Reader(bytes, "genesis config");
        int version = r.u8("version");
        if (version != 1) {
            throw new net.rhizome.ledger.codec.DecodeException("genesis config: unsupported version " + version);
        }
        try {
            String name = new String(r.bytes(64 * 4, "chain name"), StandardCharsets.UTF_8);
            long ts = r.i64("timestamp");
            PeerId issuer = r.peer("credit issuer");
            long n = r.amount("allocation count");
            if (n > MAX_ALLOCATIONS) {
                throw new net.rhizome.ledger.codec.DecodeException("genesis config: " + n + " allocations, limit " + MAX_ALLOCATIONS);
            }
            List<Allocation> allocations = new java.util.ArrayList<>();
            for (long i = 0; i < n; i++) {
                allocations.add(new Allocation(r.peer("allocation account"), r.amount("allocation rhz"), r.amount("allocation credits")));
            }
            long pool = r.amount("reward pool");
            Emission emission = new Emission(r.i64("emission"), r.i64("halving epochs"));
            long epochBlocks = r.i64("epoch blocks"), unbonding = r.i64("unbonding blocks"), interval = r.i64("block interval");
            MinStakes mins = new MinStakes(r.i64("worker min stake"), r.i64("auditor min stake"), r.i64("scanner min stake"));
            RewardParams rewards = new RewardParams(r.i64("workers per mille"), r.i64("auditors per mille"), r.i64("scanners per mille"),
                    r.u8("stake cap percentile"), r.i64("reputation min"), r.i64("reputation max"), r.i64("demand min"), r.i64("demand max"));
            DisputeParams disputes = new DisputeParams(r.i64("min bond"), r.u8("quorum"), r.i64("slash per mille"), r.i64("challenger reward per mille"));
            r.expectEnd();
            return new GenesisConfig(name, ts, issuer, allocations, pool, emission, epochBlocks, unbonding, interval, mins, rewards, disputes);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new net.rhizome.ledger.codec.DecodeException("genesis config: " + e.getMessage());
        }
    }

    public Hash32 hash() {
        return Hash32.sha256(encode());
    }

    /** Default economics for a devnet: 1 s blocks, 60-block epochs, 30-block unbonding. */
    public static GenesisConfig devnet(String chainName, long timestampMillis, PeerId faucet, List<Allocation> allocations) {
        return new GenesisConfig(chainName, timestampMillis, faucet, allocations,
                1_000_000_000_000L, new Emission(1_000_000_000L, 10_000), 60, 30, 1000,
                new MinStakes(1_000_000, 1_000_000, 1_000_000),
                new RewardParams(700, 200, 100, 88, 800, 1200, 500, 2000),
                new DisputeParams(100_000, 3, 500, 200));
    }
}
