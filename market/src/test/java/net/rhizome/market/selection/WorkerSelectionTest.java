package net.rhizome.market.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import org.junit.jupiter.api.Test;

class WorkerSelectionTest {

    @Property(tries = 200)
    void rankingIgnoresTheOrderCandidatesAreListedIn(
            @ForAll("bytes32") byte[] job, @ForAll("bytes32") byte[] seed,
            @ForAll("candidates") List<Candidate> candidates, @ForAll long shuffleSeed) {
        List<Candidate> shuffled = new ArrayList<>(candidates);
        Collections.shuffle(shuffled, new Random(shuffleSeed));
        assertThat(WorkerSelection.rank(job, seed, shuffled)).isEqualTo(WorkerSelection.rank(job, seed, candidates));
    }

    @Property(tries = 200)
    void removingAWorkerOnlyReassignsItsOwnJobs(
            @ForAll("bytes32") byte[] job, @ForAll("bytes32") byte[] seed,
            @ForAll("candidates") List<Candidate> candidates, @ForAll @IntRange(min = 0, max = 99) int pick) {
        List<Candidate> ranked = WorkerSelection.rank(job, seed, candidates);
        Candidate removed = candidates.get(pick % candidates.size());
        List<Candidate> rest = new ArrayList<>(candidates);
        rest.remove(removed);

        List<Candidate> expected = new ArrayList<>(ranked);
        expected.remove(removed);
        assertThat(WorkerSelection.rank(job, seed, rest)).isEqualTo(expected);
        if (!ranked.getFirst().equals(removed)) {
            assertThat(WorkerSelection.select(job, seed, rest)).contains(ranked.getFirst());
        }
    }

    @Test
    void winShareIsProportionalToStake() {
        long[] stakes = {1_000, 2_000, 5_000};
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < stakes.length; i++) {
            candidates.add(new Candidate(worker("w" + i), stakes[i], 500, 50));
        }
        Random random = new Random(42);
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        int jobs = 6_000;
        Map<PeerId, Integer> wins = new HashMap<>();
        for (int j = 0; j < jobs; j++) {
            byte[] job = new byte[32];
            random.nextBytes(job);
            wins.merge(WorkerSelection.select(job, seed, candidates).orElseThrow().worker(), 1, Integer::sum);
        }
        for (int i = 0; i < stakes.length; i++) {
            double share = wins.getOrDefault(candidates.get(i).worker(), 0) / (double) jobs;
            // Binomial standard deviation is below 0.0065 here; 0.03 is a generous bound.
            assertThat(share).as("win share of stake %d", stakes[i]).isCloseTo(stakes[i] / 8_000.0,
                    org.assertj.core.data.Offset.offset(0.03));
        }
    }

    @Test
    void higherReputationBreaksANearTie() {
        Candidate a = new Candidate(worker("a"), 1_000, 0, 0);
        Candidate b = new Candidate(worker("b"), 1_000, 0, 0);
        byte[] seed = new byte[32];
        byte[] job = findJobWithin(a, b, seed, 0.02);
        Candidate loser = WorkerSelection.rank(job, seed, List.of(a, b)).get(1);
        Candidate promoted = new Candidate(loser.worker(), loser.stake(), 1000, 1000);

        List<Candidate> others = new ArrayList<>(List.of(a, b));
        others.remove(loser);
        others.add(promoted);
        assertThat(WorkerSelection.select(job, seed, others)).contains(promoted);
    }

    @Test
    void theBonusCannotBeatAClearStakeAdvantage() {
        Candidate rich = new Candidate(worker("rich"), 1_000_000, 0, 0);
        Candidate fast = new Candidate(worker("fast"), 1, 1000, 1_000_000);
        Random random = new Random(7);
        byte[] seed = new byte[32];
        int richWins = 0;
        for (int j = 0; j < 200; j++) {
            byte[] job = new byte[32];
            random.nextBytes(job);
            if (WorkerSelection.select(job, seed, List.of(rich, fast)).orElseThrow().equals(rich)) {
                richWins++;
            }
        }
        assertThat(richWins).isGreaterThan(195);
    }

    @Test
    void bonusTiersFollowPublicData() {
        assertThat(WorkerSelection.bonusPerMille(new Candidate(worker("x"), 1, 0, 0))).isEqualTo(1000);
        assertThat(WorkerSelection.bonusPerMille(new Candidate(worker("x"), 1, 249, 9))).isEqualTo(1002);
        assertThat(WorkerSelection.bonusPerMille(new Candidate(worker("x"), 1, 250, 10))).isEqualTo(1009);
        assertThat(WorkerSelection.bonusPerMille(new Candidate(worker("x"), 1, 1000, 5_000))).isEqualTo(1028);
    }

    @Test
    void aFixedVectorPinsTheRule() {
        // Expected order recomputed independently (Python, 80-digit Decimal logarithms) from the rule in
        // the class comment. If this changes, every node must change with it: a protocol version bump.
        byte[] job = new byte[32];
        byte[] seed = new byte[32];
        job[0] = 1;
        seed[0] = 2;
        List<Candidate> candidates = List.of(
                new Candidate(worker("v1"), 100, 500, 10),
                new Candidate(worker("v2"), 300, 500, 10),
                new Candidate(worker("v3"), 200, 900, 2000));
        assertThat(WorkerSelection.rank(job, seed, candidates)).extracting(c -> c.worker().shortId())
                .containsExactlyElementsOf(GOLDEN_ORDER);
    }

    private static final List<String> GOLDEN_ORDER = List.of("0cea565d", "54f25abd", "ab7882f4");

    @Test
    void rejectsBadInput() {
        Candidate a = new Candidate(worker("a"), 1, 0, 0);
        assertThatThrownBy(() -> WorkerSelection.rank(new byte[31], new byte[32], List.of(a)))
                .hasMessageContaining("job id must be 32 bytes");
        assertThatThrownBy(() -> WorkerSelection.rank(new byte[32], new byte[3], List.of(a)))
                .hasMessageContaining("public seed");
        assertThatThrownBy(() -> WorkerSelection.rank(new byte[32], new byte[32], List.of(a, a)))
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> new Candidate(worker("a"), 0, 0, 0)).hasMessageContaining("stake");
        assertThat(WorkerSelection.select(new byte[32], new byte[32], List.of())).isEmpty();
    }

    @Test
    void negLog2IsExactAtPowersOfTwoAndCloseElsewhere() {
        BigInteger one = BigInteger.ONE.shiftLeft(FixedPointLog2.FRACTION_BITS);
        assertThat(FixedPointLog2.negLog2(BigInteger.ONE.shiftLeft(256), 256)).isZero();
        assertThat(FixedPointLog2.negLog2(BigInteger.ONE.shiftLeft(255), 256)).isEqualTo(one);
        assertThat(FixedPointLog2.negLog2(BigInteger.ONE, 256)).isEqualTo(one.multiply(BigInteger.valueOf(256)));
        BigInteger threeQuarters = BigInteger.valueOf(3).shiftLeft(254);
        double value = FixedPointLog2.negLog2(threeQuarters, 256).doubleValue() / one.doubleValue();
        assertThat(value).isCloseTo(-Math.log(0.75) / Math.log(2), org.assertj.core.data.Offset.offset(1e-12));
        assertThatThrownBy(() -> FixedPointLog2.negLog2(BigInteger.ZERO, 256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FixedPointLog2.negLog2(BigInteger.ONE.shiftLeft(256).add(BigInteger.ONE), 256))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] findJobWithin(Candidate a, Candidate b, byte[] seed, double ratio) {
        Random random = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            byte[] job = new byte[32];
            random.nextBytes(job);
            double da = WorkerSelection.draw(job, seed, a).doubleValue();
            double db = WorkerSelection.draw(job, seed, b).doubleValue();
            if (Math.max(da, db) / Math.min(da, db) < 1 + ratio / 2) {
                return job;
            }
        }
        throw new AssertionError("no near tie found");
    }

    static PeerId worker(String label) {
        return KeyPair.deterministic(label).peerId();
    }

    @Provide
    Arbitrary<byte[]> bytes32() {
        return Arbitraries.bytes().array(byte[].class).ofSize(32);
    }

    @Provide
    Arbitrary<List<Candidate>> candidates() {
        Arbitrary<Candidate> candidate = Combinators.combine(
                        Arbitraries.bytes().array(byte[].class).ofSize(32),
                        Arbitraries.longs().between(1, 1_000_000_000_000L),
                        Arbitraries.integers().between(0, 1000),
                        Arbitraries.longs().between(0, 5_000))
                .as((key, stake, rep, speed) -> new Candidate(PeerId.of(key), stake, rep, speed));
        return candidate.list().ofMinSize(1).ofMaxSize(12).uniqueElements(Candidate::worker);
    }
}
