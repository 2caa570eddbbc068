package net.rhizome.ledger.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.Hash32;
import org.junit.jupiter.api.Test;

class RewardFormulaTest {
    static final Hash32 POPULAR = Hash32.sha256(new byte[] {1});
    static final Hash32 CROWDED = Hash32.sha256(new byte[] {2});
    static final GenesisConfig G = GenesisConfig.devnet("t", 0, KeyPair.deterministic("f").peerId(), List.of());
    final RewardFormula formula = new RewardFormula(G);

    static Account worker(String name, long stake, int reputation, Hash32... models) {
        return Account.empty(KeyPair.deterministic(name).peerId()).withStake(stake, 0, 0)
                .withWorker(List.of(models), 1).withReputation(reputation);
    }

    static Account auditor(String name, long stake, long audits) {
        return Account.empty(KeyPair.deterministic(name).peerId()).withStake(stake, 0, 0)
                .withRole(Account.ROLE_AUDITOR).withEpochCounts(audits, 0);
    }

    @Test
    void nearestRankPercentile() {
        List<Long> hundred = new ArrayList<>();
        for (long i = 1; i <= 100; i++) {
            hundred.add(i);
        }
        assertThat(RewardFormula.percentile(hundred, 88)).isEqualTo(88);
        assertThat(RewardFormula.percentile(List.of(5L), 88)).isEqualTo(5);
        assertThat(RewardFormula.percentile(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), 88)).isEqualTo(9);
        assertThat(RewardFormula.percentile(List.of(), 88)).isZero();
    }

    @Test
    void stakeAboveThe88thPercentileEarnsNoMore() {
        List<Account> accounts = new ArrayList<>();
        List<WorkTally> tallies = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            Account w = worker("small" + i, 2_000_000, Reputation.INITIAL, POPULAR);
            accounts.add(w);
            tallies.add(new WorkTally(w.id(), POPULAR, 1000));
        }
        Account whale = worker("whale", 900_000_000, Reputation.INITIAL, POPULAR);
        accounts.add(whale);
        tallies.add(new WorkTally(whale.id(), POPULAR, 1000));
        Map<PeerId, Long> r = formula.compute(accounts, tallies, 1_000_000);
        assertThat(r.get(whale.id())).isEqualTo(r.get(accounts.getFirst().id()));
        // 70% of the emission for workers, split ten ways
        assertThat(r.get(whale.id())).isEqualTo(70_000);
    }

    @Test
    void reputationScalesBetween08And12() {
        Account low = worker("low", 2_000_000, 0, POPULAR);
        Account high = worker("high", 2_000_000, Reputation.MAX, POPULAR);
        Map<PeerId, Long> r = formula.compute(List.of(low, high),
                List.of(new WorkTally(low.id(), POPULAR, 500), new WorkTally(high.id(), POPULAR, 500)), 2_000_000);
        // scores 800 : 1200 of a 1,400,000 worker pool
        assertThat(r.get(low.id())).isEqualTo(560_000);
        assertThat(r.get(high.id())).isEqualTo(840_000);
    }

    @Test
    void scarceInDemandModelsPayMorePerToken() {
        // POPULAR: one of four listings, half the tokens; CROWDED: three of four listings, the other half
        Account lone = worker("lone", 2_000_000, Reputation.INITIAL, POPULAR);
        List<Account> crowd = List.of(worker("c1", 2_000_000, Reputation.INITIAL, CROWDED),
                worker("c2", 2_000_000, Reputation.INITIAL, CROWDED), worker("c3", 2_000_000, Reputation.INITIAL, CROWDED));
        List<Account> all = new ArrayList<>(crowd);
        all.add(lone);
        List<WorkTally> tallies = new ArrayList<>();
        tallies.add(new WorkTally(lone.id(), POPULAR, 300));
        crowd.forEach(c -> tallies.add(new WorkTally(c.id(), CROWDED, 100)));
        Map<PeerId, Long> r = formula.compute(all, tallies, 1_000_000);
        // demand: POPULAR 1000*(1/2)/(1/4) = 2000; CROWDED 1000*(1/2)/(3/4) = 666
        // scores: 300*2000 = 600,000 and 3 x 100*666 = 199,800, each x the same weight; worker pool 700,000
        assertThat(r.get(lone.id())).isEqualTo(700_000L * 600_000 / 799_800);
        assertThat(r.get(crowd.getFirst().id())).isEqualTo(700_000L * 66_600 / 799_800);
    }

    @Test
    void accountsBelowTheMinimumStakeEarnNothing() {
        Account under = auditor("under", G.minStakes().auditor() - 1, 10);
        Account ok = auditor("ok", G.minStakes().auditor(), 10);
        Map<PeerId, Long> r = formula.compute(List.of(under, ok), List.of(), 1_000_000);
        assertThat(r).containsOnlyKeys(ok.id());
        assertThat(r.get(ok.id())).isEqualTo(200_000);
    }

    @Property(tries = 200)
    void payoutsNeverExceedTheEmissionAndLoseLessThanOneUnitPerRecipient(
            @ForAll @Size(min = 1, max = 30) List<@LongRange(min = 1_000_000, max = 1_000_000_000_000L) Long> stakes,
            @ForAll @Size(min = 1, max = 30) List<@LongRange(min = 0, max = 1_000_000) Long> work,
            @ForAll @IntRange(min = 0, max = 1000) int reputation,
            @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long emission) {
        List<Account> accounts = new ArrayList<>();
        List<WorkTally> tallies = new ArrayList<>();
        for (int i = 0; i < stakes.size(); i++) {
            long w = work.get(i % work.size());
            Account a = switch (i % 3) {
                case 0 -> worker("w" + i, stakes.get(i), reputation, i % 2 == 0 ? POPULAR : CROWDED);
                case 1 -> auditor("a" + i, stakes.get(i), w);
                default -> Account.empty(KeyPair.deterministic("s" + i).peerId()).withStake(stakes.get(i), 0, 0)
                        .withRole(Account.ROLE_SCANNER).withEpochCounts(0, w);
            };
            accounts.add(a);
            if (i % 3 == 0 && w > 0) {
                tallies.add(new WorkTally(a.id(), a.models().getFirst(), w));
            }
        }
        Map<PeerId, Long> r = formula.compute(accounts, tallies, emission);
        long paid = r.values().stream().mapToLong(Long::longValue).sum();
        assertThat(r.values()).allMatch(v -> v > 0);
        assertThat(paid).isLessThanOrEqualTo(emission);
        boolean[] roleEarned = {!tallies.isEmpty(), accounts.stream().anyMatch(a -> a.audits() > 0),
                accounts.stream().anyMatch(a -> a.scans() > 0)};
        long expectedPool = 0;
        long[] split = {700, 200, 100};
        for (int i = 0; i < 3; i++) {
            if (roleEarned[i]) {
                expectedPool += emission * split[i] / 1000;
            }
        }
        // each role pool is paid out except the rounding of each share (< 1 unit per recipient)
        assertThat(paid).isGreaterThan(expectedPool - accounts.size() - 1);
    }
}
