package net.rhizome.market.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.market.job.JobRequest;
import net.rhizome.market.worker.TokenGenerator;

/**
 * Test-only stand-in for the engine: token i of a job is a hash of (job id, seed, prompt, i), so the
 * output is a pure function of the request, like the real engine's. Hooks let a test kill or stall a
 * worker at a chosen position.
 */
final class FormulaGenerator implements TokenGenerator {
    static final int VOCAB = 1000;
    static final int EOS = 0;

    private final IntConsumer beforeToken;

    FormulaGenerator(IntConsumer beforeToken) {
        this.beforeToken = beforeToken;
    }

    FormulaGenerator() {
        this(i -> {});
    }

    static int token(JobRequest r, int i) {
        ByteBuffer b = ByteBuffer.allocate(16).putLong(r.sampling().seed()).putInt(r.promptTokens().length).putInt(i);
        byte[] h = Hashes.sha256(r.jobId().bytes(), b.array());
        return 1 + Math.floorMod(ByteBuffer.wrap(h).getInt(), VOCAB - 1);
    }

    @Override
    public Generation start(JobRequest request) {
        int[] position = {request.resumedTokens().length};
        return new Generation() {
            @Override
            public Optional<Step> next() {
                beforeToken.accept(position[0]);
                int t = token(request, position[0]++);
                return Optional.of(new Step(t, ("<" + t + ">").getBytes(StandardCharsets.UTF_8)));
            }

            @Override
            public void close() {}
        };
    }

    /** A hook that blocks forever at {@code position}: a worker that stops sending. */
    static IntConsumer stallAt(int position) {
        CountDownLatch never = new CountDownLatch(1);
        return i -> {
            if (i == position) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
            }
        };
    }
}
