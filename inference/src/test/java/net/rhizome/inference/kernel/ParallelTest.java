package net.rhizome.inference.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    /** Every index of every range is run exactly once, by a valid worker, whether the helpers are spinning or parked. */
    @Test
    void eachIndexRunsOnceAcrossManyRanges() throws Exception {
        try (Parallel par = new Parallel(3)) {
            for (int round = 0; round < 300; round++) {
                if (round % 100 == 99) {
                    Thread.sleep(Parallel.SPIN_NANOS / 1_000_000 * 3); // let the helpers park
                }
                int n = 1 + round % 37;
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                par.forRange(n, (worker, from, to) -> {
                    assertThat(worker).isBetween(0, 2);
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(hits.get(i)).as("round %d index %d", round, i).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void aFailingChunkIsRethrownAndTheExecutorStaysUsable() {
        try (Parallel par = new Parallel(2)) {
            assertThatThrownBy(() -> par.forRange(16, (worker, from, to) -> {
                if (from == 0) {
                    throw new IllegalArgumentException("bad chunk");
                }
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad chunk");
            AtomicIntegerArray hits = new AtomicIntegerArray(16);
            par.forRange(16, (worker, from, to) -> {
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 16; i++) {
                assertThat(hits.get(i)).as("index %d", i).isEqualTo(1);
            }
        }
    }

    /** Two threads sharing one executor take turns; neither sees the other's ranges. */
    @Test
    void concurrentCallersEachGetTheirWholeRange() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try (Parallel par = new Parallel(2)) {
            Future<?>[] futures = new Future<?>[2];
            for (int c = 0; c < 2; c++) {
                futures[c] = callers.submit(() -> {
                    for (int round = 0; round < 200; round++) {
                        long[] sum = new long[1];
                        par.forRange(100, (worker, from, to) -> {
                            long s = 0;
                            for (int i = from; i < to; i++) {
                                s += i;
                            }
                            synchronized (sum) {
                                sum[0] += s;
                            }
                        });
                        assertThat(sum[0]).isEqualTo(4950);
                    }
                    return null;
                });
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
