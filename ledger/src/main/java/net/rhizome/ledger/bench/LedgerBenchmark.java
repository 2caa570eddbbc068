package net.rhizome.ledger.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.Asset;
import net.rhizome.ledger.EmbeddedLedger;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.TxOutcome;
import net.rhizome.ledger.store.StoreException;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.SignatureChecker;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.ledger.tx.Transaction;
import net.rhizome.ledger.tx.Voucher;

/**
 * The ledger's performance figures, each measured next to a reference from the same run:
 * durable signed transactions per second (signature check + apply + one SQLite commit per block)
 * against bare signature checking of the same transactions; voucher signature checks per second
 * against the JDK's own Ed25519; and the time to open a ledger holding N accounts against a bare
 * SQLite read of its state table.
 */
public final class LedgerBenchmark {
    public static final double GOAL_TX_PER_SECOND = 5_000;
    public static final double GOAL_VOUCHERS_PER_SECOND = 20_000;
    public static final double GOAL_OPEN_SECONDS = 2.0;

    private LedgerBenchmark() {}

    public record Figure(String name, double value, String unit, String goal, boolean meetsGoal, String reference) {}

    /** Signed transfers between {@code senders} accounts, {@code txCount} in total, in blocks of {@code blockSize}. */
    public static Figure durableTransactions(Path dir, int txCount, int senders, int blockSize) throws StoreException {
        List<KeyPair> keys = IntStream.range(0, senders).mapToObj(i -> KeyPair.deterministic("bench-" + i)).toList();
        GenesisConfig g = genesis(keys.stream().map(k -> new GenesisConfig.Allocation(k.peerId(), 0, 1_000_000_000L)).toList());
        List<SignedTransaction> txs = new ArrayList<>(txCount);
        for (int i = 0; i < txCount; i++) {
            KeyPair from = keys.get(i % senders);
            long nonce = i / senders + 1;
            txs.add(new Transaction(from.peerId(), nonce,
                    new Operation.Transfer(keys.get((i + 1) % senders).peerId(), Asset.CREDITS, 1)).sign(from));
        }
        warmUp(Math.min(txCount, 3000));
        long t0 = System.nanoTime();
        long verified = txs.parallelStream().filter(SignedTransaction::verifySignature).count();
        double verifyRate = verified / seconds(t0);

        Path file = dir.resolve("bench-tx.db");
        long start;
        long accepted = 0;
        long cpuStart;
        try (EmbeddedLedger ledger = EmbeddedLedger.open(file, g, blockSize)) {
            start = System.nanoTime();
            cpuStart = processCpuNanos();
            // two submitters, each owning half of the senders, so every sender's nonces arrive in order
            List<CompletableFuture<TxOutcome>> results = IntStream.range(0, 2).parallel()
                    .mapToObj(part -> IntStream.range(0, txCount).filter(i -> (i % senders) % 2 == part)
                            .mapToObj(i -> ledger.submit(txs.get(i))).toList())
                    .flatMap(List::stream).toList();
            while (ledger.head().height() * (long) blockSize < txCount) {
                ledger.produceBlock();
            }
            for (CompletableFuture<TxOutcome> f : results) {
                if (f.join() instanceof TxOutcome.Accepted) {
                    accepted++;
                }
            }
        }
        double rate = accepted / seconds(start);
        double perCpuSecond = accepted / ((processCpuNanos() - cpuStart) / 1e9);
        if (accepted != txCount) {
            throw new IllegalStateException("benchmark transactions rejected: " + (txCount - accepted) + " of " + txCount);
        }
        return new Figure("durable signed tx/s (" + txCount + " transfers, " + blockSize + " per block, fsync per block)",
                rate, "tx/s", ">= 5,000", rate >= GOAL_TX_PER_SECOND,
                String.format("bare signature checks of the same txs (all cores): %,.0f /s; ledger: %,.0f tx per CPU-second of this process"
                        + " (%d cores)", verifyRate, perCpuSecond, Runtime.getRuntime().availableProcessors()));
    }

    /** Voucher checks on all cores, against the JDK's Ed25519 provider on one core. */
    public static Figure voucherChecks(int count) throws Exception {
        KeyPair payer = KeyPair.deterministic("bench-payer");
        Hash32 channel = Hash32.sha256(new byte[] {7});
        List<Voucher> vouchers = IntStream.range(0, count).mapToObj(i -> Voucher.sign(payer, channel, i * 10L, i + 1)).toList();
        warmUp(Math.min(count, 3000));
        SignatureChecker checker = new SignatureChecker();
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        long ok = vouchers.parallelStream().filter(v -> v.verify(payer.peerId(), checker)).count();
        double rate = ok / seconds(t0);
        double cachedPerCpuSecond = ok / ((processCpuNanos() - cpu0) / 1e9);
        if (ok != count) {
            throw new IllegalStateException("voucher verification failed for " + (count - ok) + " vouchers");
        }
        long t1 = System.nanoTime();
        long cpu1 = THREADS.getCurrentThreadCpuTime();
        long single = vouchers.stream().filter(v -> v.verify(payer.peerId())).count();
        double singleRate = single / seconds(t1);
        double perCpuSecond = single / ((THREADS.getCurrentThreadCpuTime() - cpu1) / 1e9);
        double jdkRate = jdkEd25519Rate(payer, Math.min(count, 5_000));
        return new Figure("voucher signature checks/s (all cores, decoded payer key kept)", rate, "checks/s", ">= 20,000", rate >= GOAL_VOUCHERS_PER_SECOND,
                String.format("%,.0f per CPU-second (%d cores); one thread, key decoded every time: %,.0f /s wall, %,.0f per CPU-second;"
                        + " JDK Ed25519 provider, one thread: %,.0f /s", cachedPerCpuSecond, Runtime.getRuntime().availableProcessors(),
                        singleRate, perCpuSecond, jdkRate));
    }

    /** Lets the JIT compile the signature code before anything is timed. */
    private static void warmUp(int rounds) {
        KeyPair k = KeyPair.deterministic("bench-warm-up");
        Hash32 channel = Hash32.sha256(new byte[] {9});
        for (int i = 1; i <= rounds; i++) {
            if (!Voucher.sign(k, channel, i, i).verify(k.peerId())) {
                throw new IllegalStateException("warm-up voucher failed to verify");
            }
        }
    }

    private static double jdkEd25519Rate(KeyPair key, int count) throws Exception {
        byte[] msg = new byte[64];
        byte[] sig = key.sign(msg);
        PublicKey pk = jdkPublicKey(key.publicKey());
        Signature verifier = Signature.getInstance("Ed25519");
        for (int i = 0; i < Math.min(count, 500); i++) {
            verifier.initVerify(pk);
            verifier.update(msg);
            verifier.verify(sig);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            verifier.initVerify(pk);
            verifier.update(msg);
            if (!verifier.verify(sig)) {
                throw new IllegalStateException("JDK Ed25519 disagrees with Bouncy Castle");
            }
        }
        return count / seconds(t0);
    }

    private static PublicKey jdkPublicKey(byte[] raw) throws Exception {
        byte[] le = raw.clone();
        boolean xOdd = (le[31] & 0x80) != 0;
        le[31] &= 0x7F;
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = le[31 - i];
        }
        var point = new EdECPoint(xOdd, new java.math.BigInteger(1, be));
        return KeyFactory.getInstance("Ed25519").generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
    }

    /** Builds a ledger with {@code accounts} funded accounts, then times opening it. */
    public static Figure openLargeState(Path dir, int accounts) throws Exception {
        KeyPair rich = KeyPair.deterministic("bench-rich");
        GenesisConfig g = genesis(List.of(new GenesisConfig.Allocation(rich.peerId(), 0, 1_000_000_000_000L)));
        Path file = dir.resolve("bench-open.db");
        try (EmbeddedLedger ledger = EmbeddedLedger.open(file, g, 20_000)) {
            List<SignedTransaction> txs = IntStream.range(0, accounts).parallel()
                    .mapToObj(i -> new Transaction(rich.peerId(), i + 1L,
                            new Operation.Transfer(KeyPair.deterministic("bench-acct-" + i).peerId(), Asset.CREDITS, 1 + i)).sign(rich))
                    .toList();
            List<CompletableFuture<TxOutcome>> results = txs.stream().map(ledger::submit).toList();
            while (!results.getLast().isDone()) {
                ledger.produceBlock();
            }
            if (!(results.getLast().join() instanceof TxOutcome.Accepted)) {
                throw new IllegalStateException("setting up " + accounts + " accounts failed: " + results.getLast().join());
            }
        }
        long r0 = System.nanoTime();
        long rows = 0;
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             var st = db.createStatement(); var rs = st.executeQuery("SELECT key, value FROM state")) {
            while (rs.next()) {
                rs.getBytes(1);
                rs.getBytes(2);
                rows++;
            }
        }
        double rawSeconds = seconds(r0);
        long t0 = System.nanoTime();
        int opened;
        try (EmbeddedLedger ledger = EmbeddedLedger.open(file, g)) {
            opened = ledger.snapshotSize();
        }
        double s = seconds(t0);
        return new Figure("open a ledger holding " + (accounts + 1) + " accounts (" + opened + " state entries, state root checked)",
                s, "s", "< 2 s", s < GOAL_OPEN_SECONDS, String.format("bare SQLite read of the %,d state rows: %.3f s", rows, rawSeconds));
    }

    private static GenesisConfig genesis(List<GenesisConfig.Allocation> allocations) {
        return new GenesisConfig("bench", 0, allocations.getFirst().account(), allocations, 0,
                new GenesisConfig.Emission(0, 1), 1_000_000, 10, 1000,
                new GenesisConfig.MinStakes(1, 1, 1),
                new GenesisConfig.RewardParams(700, 200, 100, 88, 800, 1200, 500, 2000),
                new GenesisConfig.DisputeParams(1, 1, 500, 200));
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU time of the whole process: under contention from other processes, wall-clock rates understate capacity. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Deletes a benchmark database and its WAL files. */
    public static void deleteDatabases(Path dir) throws java.io.IOException {
        for (String name : List.of("bench-tx.db", "bench-open.db")) {
            for (String suffix : List.of("", "-wal", "-shm")) {
                Files.deleteIfExists(dir.resolve(name + suffix));
            }
        }
    }
}
