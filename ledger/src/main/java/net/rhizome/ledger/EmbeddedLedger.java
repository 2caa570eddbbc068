package net.rhizome.ledger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.state.LedgerState;
import net.rhizome.ledger.state.Totals;
import net.rhizome.ledger.store.SqliteStore;
import net.rhizome.ledger.store.StoreException;
import net.rhizome.ledger.tx.SignatureChecker;
import net.rhizome.ledger.tx.SignedTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger hosted in this process: state in memory, log and state in SQLite. Submitted
 * transactions have their signature checked on the caller's thread and wait in a queue; each block
 * takes up to {@code maxTxPerBlock} of them, applies them, commits the block in one SQLite
 * transaction and only then completes their futures. Blocks are made every
 * {@code blockIntervalMillis} of the genesis config when started with {@link #startBlockTimer()},
 * or on demand with {@link #produceBlock()}.
 */
public final class EmbeddedLedger implements Ledger {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedLedger.class);

    public static final int DEFAULT_MAX_TX_PER_BLOCK = 20_000;
    public static final int MAX_PENDING = 200_000;

    private record Pending(SignedTransaction tx, CompletableFuture<TxOutcome> result) {}

    private final GenesisConfig genesis;
    private final SqliteStore store;
    private final LedgerState state;
    private final BlockBuilder builder;
    private final int maxTxPerBlock;
    private final SignatureChecker signatures = new SignatureChecker();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final List<Consumer<BlockHeader>> listeners = new CopyOnWriteArrayList<>();
    private volatile BlockHeader head;
    private volatile String failure;
    private volatile boolean closed;
    private ScheduledExecutorService timer;

    private EmbeddedLedger(GenesisConfig genesis, SqliteStore store, LedgerState state, BlockHeader head, int maxTxPerBlock) {
        this.genesis = genesis;
        this.store = store;
        this.state = state;
        this.head = head;
        this.builder = new BlockBuilder(genesis);
        this.maxTxPerBlock = maxTxPerBlock;
    }

    public static EmbeddedLedger open(Path file, GenesisConfig genesis) throws StoreException {
        return open(file, genesis, DEFAULT_MAX_TX_PER_BLOCK);
    }

    /**
     * Opens (or creates) the ledger in {@code file}. A file made with another genesis config is
     * refused; the loaded state must hash to the head block's state root.
     */
    public static EmbeddedLedger open(Path file, GenesisConfig genesis, int maxTxPerBlock) throws StoreException {
        SqliteStore store = SqliteStore.open(file);
        try {
            byte[] encoded = genesis.encode();
            Optional<byte[]> stored = store.genesis();
            if (stored.isEmpty()) {
                LedgerState state = LedgerState.genesis(genesis);
                BlockHeader block0 = new BlockBuilder(genesis).genesisBlock(state);
                store.initialise(encoded, block0, state.takeDirty());
                return new EmbeddedLedger(genesis, store, state, block0, maxTxPerBlock);
            }
            if (!Arrays.equals(stored.get(), encoded)) {
                throw new StoreException("ledger database " + file + " belongs to the chain with genesis "
                        + Hash32.sha256(stored.get()).shortHex() + ", not " + genesis.hash().shortHex());
            }
            BlockHeader head = store.head().orElseThrow(() -> new StoreException("ledger database " + file + " has no blocks"));
            LedgerState state = LedgerState.of(store.loadState());
            if (!state.stateRoot().equals(head.stateRoot())) {
                throw new StoreException("ledger database " + file + ": state hashes to " + state.stateRoot().shortHex()
                        + " but block " + head.height() + " says " + head.stateRoot().shortHex());
            }
            return new EmbeddedLedger(genesis, store, state, head, maxTxPerBlock);
        } catch (StoreException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Makes a block every genesis block interval on a background thread, until closed. */
    public synchronized void startBlockTimer() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ledger-blocks");
            t.setDaemon(true);
            return t;
        });
        long interval = genesis.blockIntervalMillis();
        timer.scheduleAtFixedRate(() -> {
            try {
                produceBlock();
            } catch (RuntimeException e) {
                log.error("block production failed", e);
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<TxOutcome> submit(SignedTransaction tx) {
        if (closed || failure != null) {
            return CompletableFuture.completedFuture(new TxOutcome.Rejected(tx.id(),
                    new Rejection(RejectCode.LEDGER_CLOSED, failure != null ? failure : "the ledger is closed")));
        }
        if (!tx.verifySignature(signatures)) {
            return CompletableFuture.completedFuture(new TxOutcome.Rejected(tx.id(), new Rejection(RejectCode.BAD_SIGNATURE,
                    "signature does not match sender " + tx.transaction().sender().shortId())));
        }
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            return CompletableFuture.completedFuture(new TxOutcome.Rejected(tx.id(), new Rejection(RejectCode.LEDGER_BUSY,
                    MAX_PENDING + " transactions are already waiting; retry later")));
        }
        CompletableFuture<TxOutcome> f = new CompletableFuture<>();
        pending.add(new Pending(tx, f));
        if (closed) {
            rejectWaiting(); // close() may have drained the queue just before this one arrived
        }
        return f;
    }

    /**
     * Makes one block from the waiting transactions (possibly none) and commits it. Futures complete
     * after the commit. If the commit fails the ledger stops accepting work: the in-memory state is
     * ahead of the file, and reopening reloads the last committed block.
     */
    public BlockHeader produceBlock() {
        List<Pending> batch = new ArrayList<>();
        List<Runnable> completions = new ArrayList<>();
        BlockHeader made;
        lock.writeLock().lock();
        try {
            if (failure != null || closed) {
                throw new IllegalStateException(failure != null ? failure : "the ledger is closed");
            }
            Pending p;
            while (batch.size() < maxTxPerBlock && (p = pending.poll()) != null) {
                pendingCount.decrementAndGet();
                batch.add(p);
            }
            BlockBuilder.Built built = builder.build(state, head, batch.stream().map(Pending::tx).toList(), System.currentTimeMillis());
            try {
                store.commitBlock(built.header(), built.included(), state.takeDirty());
            } catch (StoreException e) {
                failure = e.getMessage();
                batch.forEach(b -> b.result().complete(new TxOutcome.Rejected(b.tx().id(), new Rejection(RejectCode.LEDGER_CLOSED, failure))));
                throw new IllegalStateException(failure, e);
            }
            head = built.header();
            made = built.header();
            int index = 0;
            for (int i = 0; i < batch.size(); i++) {
                Pending b = batch.get(i);
                Rejection r = built.rejected().get(i);
                TxOutcome outcome = r != null ? new TxOutcome.Rejected(b.tx().id(), r)
                        : new TxOutcome.Accepted(b.tx().id(), made.height(), index++);
                completions.add(() -> b.result().complete(outcome));
            }
        } finally {
            lock.writeLock().unlock();
        }
        completions.forEach(Runnable::run);
        for (Consumer<BlockHeader> l : listeners) {
            try {
                l.accept(made);
            } catch (RuntimeException e) {
                log.warn("block listener failed", e);
            }
        }
        return made;
    }

    @Override
    public GenesisConfig genesis() {
        return genesis;
    }

    @Override
    public BlockHeader head() {
        return head;
    }

    private <T> T read(java.util.function.Supplier<T> query) {
        lock.readLock().lock();
        try {
            return query.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<Account> account(PeerId id) {
        return read(() -> state.account(id));
    }

    @Override
    public Optional<Channel> channel(Hash32 id) {
        return read(() -> state.channel(id));
    }

    @Override
    public List<Channel> channels(PeerId party) {
        return read(() -> state.all(Channel.class).stream()
                .filter(c -> c.payer().equals(party) || c.payee().equals(party))
                .sorted(Comparator.comparing((Channel c) -> !c.open()).thenComparing(Channel::expiryHeight, Comparator.reverseOrder()))
                .toList());
    }

    @Override
    public Totals totals() {
        return read(state::totals);
    }

    @Override
    public List<TxRecord> history(PeerId account, int limit) {
        lock.readLock().lock();
        try {
            return store.history(account, limit);
        } catch (StoreException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many entries (accounts, channels, ...) the committed state holds. */
    public int snapshotSize() {
        return read(state::size);
    }

    /** A private copy of the committed state. */
    LedgerState snapshot() {
        return read(() -> LedgerState.of(state.entries()));
    }

    /** The invariant violations of the committed state (empty when consistent). */
    public List<String> checkInvariants() {
        return read(() -> Invariants.violations(state));
    }

    /** Replays the whole stored log from genesis and checks every block; see {@link Replay}. */
    public Replay.Report verifyReplay() throws StoreException {
        lock.readLock().lock();
        try {
            return Replay.verify(store, genesis);
        } finally {
            lock.readLock().unlock();
        }
    }

    public Optional<TxRecord> transaction(Hash32 id) throws StoreException {
        lock.readLock().lock();
        try {
            return store.transaction(id);
        } finally {
            lock.readLock().unlock();
        }
    }

    private void rejectWaiting() {
        Pending p;
        while ((p = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            p.result().complete(new TxOutcome.Rejected(p.tx().id(), new Rejection(RejectCode.LEDGER_CLOSED, "the ledger closed before the next block")));
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<BlockHeader> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Stops the block timer and closes the file. Transactions still waiting are rejected; they were never acknowledged. */
    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (this) {
            t = timer;
            timer = null;
        }
        if (t != null) {
            t.shutdown();
            try {
                t.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.writeLock().lock();
        try {
            closed = true;
            rejectWaiting();
            store.close();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
