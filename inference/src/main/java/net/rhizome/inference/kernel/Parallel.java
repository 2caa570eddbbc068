package net.rhizome.inference.kernel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Splits index ranges (output rows, heads, tokens) over a fixed number of threads. Work is only
 * ever partitioned by output, never inside a reduction, so results do not depend on the thread
 * count. The calling thread takes part in the work.
 */
public final class Parallel implements AutoCloseable {
    /** Body over a half-open range, told which worker (0 .. threads-1) runs it, for per-thread scratch. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int worker, int from, int to);
    }

    private final int threads;
    private final ExecutorService pool;

    public Parallel(int threads) {
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("thread count must be 1..256, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "rhizome-inference");
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in contiguous chunks (a few per thread). Threads claim
     * chunks as they get to run, and the caller only waits for chunks already claimed: on a busy
     * machine a helper that is not scheduled in time simply finds no work left, instead of
     * stalling every step of a forward pass.
     */
    public void forRange(int n, RangeBody body) {
        int chunks = Math.min(n, threads == 1 ? 1 : threads * 4);
        if (chunks <= 1) {
            if (n > 0) {
                body.run(0, 0, n);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        for (int w = 1; w < threads; w++) {
            int worker = w;
            pool.execute(() -> claimChunks(worker, n, chunks, next, done, failure, body));
        }
        claimChunks(0, n, chunks, next, done, failure, body);
        while (done.get() < chunks) {
            Thread.yield();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private static void claimChunks(int worker, int n, int chunks, AtomicInteger next, AtomicInteger done,
            AtomicReference<RuntimeException> failure, RangeBody body) {
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

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
