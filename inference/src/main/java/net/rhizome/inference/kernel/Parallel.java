package net.rhizome.inference.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits index ranges (output rows, heads, tokens) over a fixed number of threads. Work is only
 * ever partitioned by output, never inside a reduction, so results do not depend on the thread
 * count. The calling thread takes part in the work.
 *
 * <p>A forward pass hands out a range every few hundred microseconds (each matmul, the attention
 * heads, the SwiGLU), so the helper threads stay awake between ranges: they spin for
 * {@link #SPIN_NANOS} on the next range before they park. Parking and waking a thread per range
 * cost about a tenth of a decoded token's time.
 */
public final class Parallel implements AutoCloseable {
    /** Body over a half-open range, told which worker (0 .. threads-1) runs it, for per-thread scratch. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int worker, int from, int to);
    }

    /** How long an idle helper watches for the next range before it parks: longer than the gaps inside a forward pass and between tokens. */
    static final long SPIN_NANOS = 2_000_000;

    private final int threads;
    private final Thread[] helpers;
    private final boolean[] parkedFlags;
    private volatile Range current;
    private volatile boolean closed;

    public Parallel(int threads) {
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("thread count must be 1..256, got " + threads);
        }
        this.threads = threads;
        this.helpers = new Thread[threads - 1];
        this.parkedFlags = new boolean[threads - 1];
        for (int h = 0; h < helpers.length; h++) {
            int worker = h + 1;
            helpers[h] = new Thread(() -> helpLoop(worker), "rhizome-inference-" + worker);
            helpers[h].setDaemon(true);
            helpers[h].start();
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in contiguous chunks (a few per thread). Threads claim
     * chunks as they get to run, and the caller only waits for chunks already claimed: on a busy
     * machine a helper that is not scheduled in time simply finds no work left, instead of
     * stalling every step of a forward pass. Concurrent callers take turns.
     */
    public synchronized void forRange(int n, RangeBody body) {
        int chunks = Math.min(n, threads == 1 ? 1 : threads * 4);
        if (chunks <= 1) {
            if (n > 0) {
                body.run(0, 0, n);
            }
            return;
        }
        if (closed) {
            throw new IllegalStateException("parallel executor is closed");
        }
        Range range = new Range(n, chunks, body);
        current = range;
        for (int h = 0; h < helpers.length; h++) {
            if (parked(h)) {
                LockSupport.unpark(helpers[h]);
            }
        }
        range.claimChunks(0);
        range.awaitClaimedChunks();
        current = null;
        if (range.failure.get() != null) {
            throw range.failure.get();
        }
    }

    private void helpLoop(int worker) {
        Range last = null;
        long idleSince = System.nanoTime();
        while (!closed) {
            Range r = current;
            if (r != null && r != last) {
                r.claimChunks(worker);
                last = r;
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                setParked(worker - 1, true);
                Range again = current;
                if (again == null || again == last) {
                    LockSupport.park(this);
                }
                setParked(worker - 1, false);
                idleSince = System.nanoTime();
            }
        }
    }

    // The flag and `current` are both volatile-ordered: a helper publishes "parked" before it looks
    // at `current` once more, the caller publishes `current` before it looks at the flag, so at
    // least one of them sees the other and no range is left waiting on a parked helper.
    private static final java.lang.invoke.VarHandle FLAGS = java.lang.invoke.MethodHandles.arrayElementVarHandle(boolean[].class);

    private boolean parked(int h) {
        return (boolean) FLAGS.getVolatile(parkedFlags, h);
    }

    private void setParked(int h, boolean value) {
        FLAGS.setVolatile(parkedFlags, h, value);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread helper : helpers) {
            LockSupport.unpark(helper);
        }
    }

    /** One {@link #forRange} call: its chunks, who claimed how many, and the first failure. */
    private static final class Range {
        final int n;
        final int chunks;
        final RangeBody body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();

        Range(int n, int chunks, RangeBody body) {
            this.n = n;
            this.chunks = chunks;
            this.body = body;
        }

        void claimChunks(int worker) {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    body.run(worker, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e instanceof RuntimeException re ? re : new IllegalStateException(e));
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        /**
         * Waits for the chunks a helper is still running; the caller has claimed everything else by
         * now. After a short spin it yields, in case the helper waits for this very core.
         */
        void awaitClaimedChunks() {
            for (int spins = 0; done.get() < chunks; spins++) {
                if (spins < 10_000) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
    }
}
