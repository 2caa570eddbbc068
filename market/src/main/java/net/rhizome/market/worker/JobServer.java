package net.rhizome.market.worker;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.market.job.EmbedRequest;
import net.rhizome.market.job.EmbedWorkerStream;
import net.rhizome.market.job.FinishReason;
import net.rhizome.market.job.JobProtocolException;
import net.rhizome.market.job.JobRequest;
import net.rhizome.market.job.Receipt;
import net.rhizome.market.job.WorkerChannel;
import net.rhizome.market.job.VoucherMessage;
import net.rhizome.market.job.WorkerStream;
import net.rhizome.market.proto.EmbedGatewayMessage;
import net.rhizome.market.proto.EmbedWorkerMessage;
import net.rhizome.market.proto.GatewayMessage;
import net.rhizome.market.proto.JobError;
import net.rhizome.market.proto.JobServiceGrpc;
import net.rhizome.market.proto.SignedEmbedRequest;
import net.rhizome.market.proto.SignedReceipt;
import net.rhizome.market.proto.WorkerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's job service: accepts signed jobs from the channel's payer (or the node the payer names as
 * sender), runs up to {@code capacity} at once with a bounded queue behind them, streams token chunks,
 * stops any job that runs more than K tokens ahead of payment, and ends each job with a signed receipt.
 */
public final class JobServer extends JobServiceGrpc.JobServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(JobServer.class);

    /** {@code capacity} jobs run at once, {@code queue} more may wait; unpaid jobs stop after {@code paymentTimeout}. */
    public record Settings(int capacity, int queue, Duration paymentTimeout, Duration finalVoucherWait) {
        public static final Settings DEFAULT = new Settings(4, 16, Duration.ofSeconds(10), Duration.ofSeconds(5));

        public Settings {
            if (capacity < 1 || queue < 0) {
                throw new IllegalArgumentException("capacity must be positive and queue not negative");
            }
        }
    }

    private final KeyPair key;
    private final TokenGenerator generator;
    private final WorkerChannels channels;
    private final Supplier<PeerId> caller;
    private final Settings settings;
    private final Consumer<Receipt> receipts;
    private final Semaphore slots;
    private final AtomicInteger admitted = new AtomicInteger();
    private volatile long measuredTokensPerSecond;

    /** {@code caller} names the authenticated peer of the current call ({@code NodeTransport::callerId}). */
    public JobServer(KeyPair key, TokenGenerator generator, WorkerChannels channels, Supplier<PeerId> caller,
            Settings settings, Consumer<Receipt> receipts) {
        this.key = Objects.requireNonNull(key, "key");
        this.generator = Objects.requireNonNull(generator, "generator");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.caller = Objects.requireNonNull(caller, "caller");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.receipts = Objects.requireNonNull(receipts, "receipts");
        this.slots = new Semaphore(settings.capacity(), true);
    }

    /** Jobs running now. */
    public int running() {
        return settings.capacity() - slots.availablePermits();
    }

    /** Jobs accepted and not yet finished (running and queued). */
    public int admitted() {
        return admitted.get();
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Decode speed of the last jobs of at least 8 tokens (moving average, tokens per second of one job,
     * payment waits included), 0 before the first: what the node record advertises.
     */
    public long measuredTokensPerSecond() {
        return measuredTokensPerSecond;
    }

    private void recordSpeed(int tokens, long nanos) {
        if (tokens >= 8 && nanos > 0) {
            long tps = Math.round(tokens / (nanos / 1e9));
            long old = measuredTokensPerSecond;
            measuredTokensPerSecond = old == 0 ? tps : (3 * old + tps) / 4;
        }
    }

    private static void writeOffUnpaid(Hash32 jobId, long credits) {
        if (credits > 0) {
            log.info("gateway left a job unpaid, written off job={} credits={}", jobId.shortHex(), credits);
        }
    }

    @Override
    public StreamObserver<GatewayMessage> run(StreamObserver<WorkerMessage> responses) {
        return new Call(caller.get(), (ServerCallStreamObserver<WorkerMessage>) responses);
    }

    @Override
    public StreamObserver<EmbedGatewayMessage> embed(StreamObserver<EmbedWorkerMessage> responses) {
        return new EmbedCall(caller.get(), (ServerCallStreamObserver<EmbedWorkerMessage>) responses);
    }

    /** One embedding job: embeds input by input, each once the earlier ones are paid, then signs the receipt. */
    private final class EmbedCall implements StreamObserver<EmbedGatewayMessage> {
        private final PeerId callerId;
        private final ServerCallStreamObserver<EmbedWorkerMessage> out;
        private final CountDownLatch gatewayDone = new CountDownLatch(1);
        private volatile EmbedWorkerStream stream;
        private volatile WorkerChannel channel;
        private volatile boolean cancelled;
        private boolean closed;

        EmbedCall(PeerId callerId, ServerCallStreamObserver<EmbedWorkerMessage> out) {
            this.callerId = callerId;
            this.out = out;
            out.setOnCancelHandler(() -> {
                cancel();
                gatewayDone.countDown();
            });
        }

        @Override
        public void onNext(EmbedGatewayMessage message) {
            try {
                switch (message.getKindCase()) {
                    case REQUEST -> accept(message.getRequest());
                    case VOUCHER -> {
                        if (stream == null) {
                            throw new JobProtocolException("voucher before the embedding request");
                        }
                        stream.onVoucher(VoucherMessage.voucher(message.getVoucher()), VoucherMessage.jobPaid(message.getVoucher()));
                    }
                    case CANCEL -> cancel();
                    case KIND_NOT_SET -> throw new JobProtocolException("empty gateway message");
                }
            } catch (JobProtocolException | DecodeException e) {
                cancel();
                fail("bad_request", e.getMessage());
            }
        }

        /** Stops the job at its next step, also when it is waiting for payment. */
        private void cancel() {
            cancelled = true;
            WorkerChannel ch = channel;
            if (ch != null) {
                ch.wake();
            }
        }

        private void accept(SignedEmbedRequest signed) throws JobProtocolException {
            if (stream != null) {
                throw new JobProtocolException("a job stream carries one request");
            }
            EmbedRequest request = EmbedRequest.verify(signed);
            if (!EmbedRequest.mayBeSentBy(signed, callerId)) {
                throw new JobProtocolException("embedding request is signed by " + request.payer().shortId()
                        + " but sent by " + callerId.shortId());
            }
            WorkerChannel ch = channels.channel(request.channelId(), Math.multiplyExact(request.remainingTokens(), request.pricePerToken()))
                    .orElseThrow(() -> new JobProtocolException("unknown payment channel " + request.channelId().shortHex()));
            EmbedWorkerStream s = new EmbedWorkerStream(request, key, ch);
            if (admitted.incrementAndGet() > settings.capacity() + settings.queue()) {
                admitted.decrementAndGet();
                s.finish(FinishReason.CANCELLED);
                fail("overloaded", "worker " + key.peerId().shortId() + " is at capacity; try the next worker");
                return;
            }
            channel = ch;
            stream = s;
            Thread.ofVirtual().name("embed-" + request.jobId().shortHex()).start(this::runJob);
        }

        private void runJob() {
            EmbedWorkerStream s = stream;
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                admitted.decrementAndGet();
                Thread.currentThread().interrupt();
                return;
            }
            FinishReason reason = FinishReason.CANCELLED;
            try {
                reason = embedAll(s);
            } catch (JobProtocolException e) {
                fail("bad_request", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("embedding job failed job={} error=\"{}\"", s.request().jobId().shortHex(), e.toString());
                fail("internal", "embedding failed: " + e.getClass().getSimpleName());
            } finally {
                slots.release();
                admitted.decrementAndGet();
            }
            SignedReceipt signed = s.finish(reason);
            try {
                receipts.accept(Receipt.verify(signed));
            } catch (JobProtocolException e) {
                throw new IllegalStateException("own receipt does not verify", e);
            }
            send(EmbedWorkerMessage.newBuilder().setReceipt(signed).build());
            try {
                gatewayDone.await(settings.finalVoucherWait().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            complete();
            writeOffUnpaid(s.request().jobId(), s.writeOffUnpaid());
        }

        private FinishReason embedAll(EmbedWorkerStream s) throws JobProtocolException, InterruptedException {
            for (int i = s.nextInput(); i >= 0; i = s.nextInput()) {
                if (cancelled) {
                    return FinishReason.CANCELLED;
                }
                if (!s.awaitPayment(settings.paymentTimeout(), () -> cancelled)) {
                    log.info("embedding job unpaid, stopping job={} input={}", s.request().jobId().shortHex(), i);
                    return FinishReason.CANCELLED;
                }
                float[] values = generator.embed(s.request().modelId(), s.request().input(i));
                send(EmbedWorkerMessage.newBuilder().setEmbedding(s.emit(values)).build());
            }
            return FinishReason.STOP;
        }

        @Override
        public void onError(Throwable t) {
            cancel();
            gatewayDone.countDown();
        }

        @Override
        public void onCompleted() {
            gatewayDone.countDown();
            if (stream == null) {
                complete();
            }
        }

        private void fail(String code, String message) {
            send(EmbedWorkerMessage.newBuilder().setError(JobError.newBuilder().setCode(code).setMessage(message)).build());
            if (stream == null) {
                complete();
            }
        }

        private synchronized void send(EmbedWorkerMessage message) {
            if (closed || out.isCancelled()) {
                return;
            }
            try {
                out.onNext(message);
            } catch (RuntimeException e) {
                cancelled = true;
            }
        }

        private synchronized void complete() {
            if (!closed && !out.isCancelled()) {
                closed = true;
                try {
                    out.onCompleted();
                } catch (RuntimeException ignored) {
                    // the call ended meanwhile
                }
            }
        }
    }

    private final class Call implements StreamObserver<GatewayMessage> {
        private final PeerId callerId;
        private final ServerCallStreamObserver<WorkerMessage> out;
        private final CountDownLatch gatewayDone = new CountDownLatch(1);
        private volatile WorkerStream stream;
        private volatile WorkerChannel channel;
        private volatile boolean cancelled;
        private boolean closed;

        Call(PeerId callerId, ServerCallStreamObserver<WorkerMessage> out) {
            this.callerId = callerId;
            this.out = out;
            out.setOnCancelHandler(() -> {
                cancel();
                gatewayDone.countDown();
            });
        }

        @Override
        public void onNext(GatewayMessage message) {
            try {
                switch (message.getKindCase()) {
                    case REQUEST -> accept(message);
                    case VOUCHER -> {
                        if (stream == null) {
                            throw new JobProtocolException("voucher before the job request");
                        }
                        stream.onVoucher(VoucherMessage.voucher(message.getVoucher()), VoucherMessage.jobPaid(message.getVoucher()));
                    }
                    case CANCEL -> cancel();
                    case KIND_NOT_SET -> throw new JobProtocolException("empty gateway message");
                }
            } catch (JobProtocolException | DecodeException e) {
                cancel();
                fail("bad_request", e.getMessage());
            }
        }

        /** Stops the job at its next step, also when it is waiting for payment. */
        private void cancel() {
            cancelled = true;
            WorkerChannel ch = channel;
            if (ch != null) {
                ch.wake();
            }
        }

        private void accept(GatewayMessage message) throws JobProtocolException {
            if (stream != null) {
                throw new JobProtocolException("a job stream carries one request");
            }
            JobRequest request = JobRequest.verify(message.getRequest());
            if (!JobRequest.mayBeSentBy(message.getRequest(), callerId)) {
                throw new JobProtocolException("job request is signed by " + request.payer().shortId()
                        + " but sent by " + callerId.shortId());
            }
            WorkerChannel ch = channels.channel(request.channelId(),
                    Math.multiplyExact((long) request.maxTokens() - request.resumedTokens().length, request.pricePerToken()))
                    .orElseThrow(() -> new JobProtocolException("unknown payment channel " + request.channelId().shortHex()));
            WorkerStream s = new WorkerStream(request, key, ch);
            if (admitted.incrementAndGet() > settings.capacity() + settings.queue()) {
                admitted.decrementAndGet();
                s.finish(FinishReason.CANCELLED);
                fail("overloaded", "worker " + key.peerId().shortId() + " is at capacity; try the next worker");
                return;
            }
            channel = ch;
            stream = s;
            Thread.ofVirtual().name("job-" + request.jobId().shortHex()).start(this::runJob);
        }

        private void runJob() {
            WorkerStream s = stream;
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                admitted.decrementAndGet();
                Thread.currentThread().interrupt();
                return;
            }
            FinishReason reason = FinishReason.CANCELLED;
            try (TokenGenerator.Generation generation = generator.start(s.request())) {
                reason = generate(s, generation);
            } catch (JobProtocolException e) {
                fail("bad_request", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("job failed job={} error=\"{}\"", s.request().jobId().shortHex(), e.toString());
                fail("internal", "generation failed: " + e.getClass().getSimpleName());
            } finally {
                slots.release();
                admitted.decrementAndGet();
            }
            SignedReceipt signed = s.finish(reason);
            try {
                receipts.accept(Receipt.verify(signed));
            } catch (JobProtocolException e) {
                throw new IllegalStateException("own receipt does not verify", e);
            }
            send(WorkerMessage.newBuilder().setReceipt(signed).build());
            try {
                // the gateway answers the receipt with the last voucher, then closes its side
                gatewayDone.await(settings.finalVoucherWait().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            complete();
            writeOffUnpaid(s.request().jobId(), s.writeOffUnpaid());
        }

        private FinishReason generate(WorkerStream s, TokenGenerator.Generation generation) throws InterruptedException {
            long firstToken = 0;
            try {
                while (true) {
                    FinishReason done = step(s, generation);
                    if (done != null) {
                        return done;
                    }
                    if (firstToken == 0) {
                        firstToken = System.nanoTime();
                    }
                }
            } finally {
                if (firstToken != 0) {
                    recordSpeed(s.delivered() - 1, System.nanoTime() - firstToken);
                }
            }
        }

        /** Produces one token; the finish reason when the job ends instead. */
        private FinishReason step(WorkerStream s, TokenGenerator.Generation generation) throws InterruptedException {
            if (cancelled) {
                return FinishReason.CANCELLED;
            }
            if (s.full()) {
                return FinishReason.LENGTH;
            }
            if (!s.awaitPayment(settings.paymentTimeout(), () -> cancelled)) {
                log.info("job unpaid, stopping job={} delivered={}", s.request().jobId().shortHex(), s.delivered());
                return FinishReason.CANCELLED;
            }
            Optional<TokenGenerator.Step> step = generation.next();
            if (step.isEmpty()) {
                return FinishReason.STOP;
            }
            send(WorkerMessage.newBuilder().setChunk(s.emit(step.get().token(), step.get().text())).build());
            return null;
        }

        @Override
        public void onError(Throwable t) {
            cancel();
            gatewayDone.countDown();
        }

        @Override
        public void onCompleted() {
            gatewayDone.countDown();
            if (stream == null) {
                complete();
            }
        }

        private void fail(String code, String message) {
            send(WorkerMessage.newBuilder().setError(JobError.newBuilder().setCode(code).setMessage(message)).build());
            if (stream == null) {
                complete();
            }
        }

        private synchronized void send(WorkerMessage message) {
            if (closed || out.isCancelled()) {
                return;
            }
            try {
                out.onNext(message);
            } catch (RuntimeException e) {
                cancelled = true;
            }
        }

        private synchronized void complete() {
            if (!closed && !out.isCancelled()) {
                closed = true;
                try {
                    out.onCompleted();
                } catch (RuntimeException ignored) {
                    // the call ended meanwhile
                }
            }
        }
    }
}
