package net.rhizome.market.gateway;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.tx.Voucher;
import net.rhizome.market.job.FinishReason;
import net.rhizome.market.job.GatewayChannel;
import net.rhizome.market.job.GatewayStream;
import net.rhizome.market.job.JobProtocolException;
import net.rhizome.market.job.JobRequest;
import net.rhizome.market.job.Receipt;
import net.rhizome.market.job.SamplingParams;
import net.rhizome.market.job.VoucherMessage;
import net.rhizome.market.proto.Cancel;
import net.rhizome.market.proto.GatewayMessage;
import net.rhizome.market.proto.JobServiceGrpc;
import net.rhizome.market.proto.WorkerMessage;

/**
 * Runs a job on workers in their selection order: streams it from the first, pays every K tokens, and
 * when a worker dies, stalls past a deadline, sends an invalid chunk or gives up, pays it for the tokens
 * it delivered and resumes on the next worker with prompt + output so far. Because the engine is
 * deterministic the listener sees exactly the output of an uninterrupted run.
 */
public final class JobDispatcher {
    /** How long to wait for the first token (prefill included) and then for each further message. */
    public record Timeouts(Duration firstToken, Duration betweenTokens) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    /** A worker in fail-over order with the price per token the gateway pays it. */
    public record Assignment(PeerId worker, long pricePerToken) {}

    /** The job as the gateway prepared it; the job id also keys sampling randomness and worker selection. */
    public record JobSpec(Hash32 jobId, Hash32 modelId, int[] promptTokens, SamplingParams sampling, int maxTokens,
            List<String> stop, int voucherInterval, int vocabularySize) {}

    /** Receives checked output as it arrives; returns false to stop the job (stop string, client gone). */
    @FunctionalInterface
    public interface Listener {
        boolean onTokens(PeerId worker, int[] tokens, byte[] text);
    }

    /** One worker's part: where it started, what it delivered and was paid, its receipt, or why it failed. */
    public record Attempt(PeerId worker, int firstIndex, int delivered, long paid, Optional<Receipt> receipt, Optional<String> failure) {}

    public record Result(int[] output, FinishReason finishReason, List<Attempt> attempts) {}

    /** No worker completed the job; {@code attempts} say why, {@code delivered} tokens reached the listener. */
    public static final class DispatchException extends Exception {
        private final transient List<Attempt> attempts;
        private final int delivered;

        DispatchException(String message, List<Attempt> attempts, int delivered) {
            super(message);
            this.attempts = List.copyOf(attempts);
            this.delivered = delivered;
        }

        public List<Attempt> attempts() {
            return attempts;
        }

        public int delivered() {
            return delivered;
        }
    }

    private static final Object END = new Object();
    /** The stream's callbacks only enqueue, so they run on the transport thread: no hand-off per message. */
    static final Executor DIRECT = Runnable::run;

    private final KeyPair payer;
    private final PeerId sender;
    private final Function<PeerId, Channel> links;
    private final GatewayChannels channels;
    private final Timeouts timeouts;
    private final Clock clock;
    private final BiConsumer<PeerId, String> onWorkerFailure;

    /**
     * @param links transport channel to a worker (e.g. {@code PeerConnections::channel})
     * @param onWorkerFailure told about each failed worker, e.g. to put it in cool-down
     */
    public JobDispatcher(KeyPair payer, Function<PeerId, Channel> links, GatewayChannels channels, Timeouts timeouts,
            Clock clock, BiConsumer<PeerId, String> onWorkerFailure) {
        this(payer, payer.peerId(), links, channels, timeouts, clock, onWorkerFailure);
    }

    /**
     * Jobs paid by {@code payer} (its key signs requests and vouchers) but sent over the transport of node
     * {@code sender}, which each request names: a gateway paying from a wallet of one of its API keys.
     */
    public JobDispatcher(KeyPair payer, PeerId sender, Function<PeerId, Channel> links, GatewayChannels channels, Timeouts timeouts,
            Clock clock, BiConsumer<PeerId, String> onWorkerFailure) {
        this.payer = Objects.requireNonNull(payer, "payer");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.links = Objects.requireNonNull(links, "links");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onWorkerFailure = Objects.requireNonNull(onWorkerFailure, "onWorkerFailure");
    }

    public Result run(JobSpec spec, List<Assignment> ranked, Listener listener) throws DispatchException, InterruptedException {
        int[] output = new int[0];
        List<Attempt> attempts = new ArrayList<>();
        for (Assignment next : ranked) {
            Outcome o = attempt(spec, next, output, listener);
            attempts.add(o.attempt);
            output = o.output;
            if (o.attempt.failure().isEmpty()) {
                return new Result(output, o.finish, attempts);
            }
            onWorkerFailure.accept(next.worker(), o.attempt.failure().get());
            if (o.userStopped) {
                return new Result(output, FinishReason.STOP, attempts);
            }
            if (output.length >= spec.maxTokens()) {
                return new Result(output, FinishReason.LENGTH, attempts);
            }
        }
        String reasons = attempts.isEmpty() ? "no eligible worker"
                : attempts.stream().map(a -> a.worker().shortId() + ": " + a.failure().orElse("?")).reduce((a, b) -> a + "; " + b).orElseThrow();
        throw new DispatchException(reasons, attempts, output.length);
    }

    private record Outcome(Attempt attempt, int[] output, FinishReason finish, boolean userStopped) {}

    private Outcome attempt(JobSpec spec, Assignment a, int[] output, Listener listener) throws InterruptedException {
        int remaining = spec.maxTokens() - output.length;
        GatewayChannel channel;
        try {
            channel = channels.channelTo(a.worker(), spec.modelId(), Math.multiplyExact((long) remaining, a.pricePerToken()));
        } catch (GatewayChannels.ChannelUnavailableException e) {
            return failed(a, output, 0, 0, Optional.empty(), "no payment channel: " + e.getMessage());
        }
        JobRequest request = new JobRequest(spec.jobId(), spec.modelId(), spec.promptTokens(), spec.sampling(), spec.maxTokens(),
                a.pricePerToken(), channel.channelId(), payer.peerId(), a.worker(), output, spec.stop(),
                spec.voucherInterval(), clock.millis());
        GatewayStream stream = new GatewayStream(request, channel, spec.vocabularySize());
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        ClientCallStreamObserver<GatewayMessage> up;
        try {
            up = (ClientCallStreamObserver<GatewayMessage>) JobServiceGrpc.newStub(links.apply(a.worker())).withExecutor(DIRECT)
                    .run(new StreamObserver<>() {
                        @Override
                        public void onNext(WorkerMessage m) {
                            events.add(m);
                        }

                        @Override
                        public void onError(Throwable t) {
                            events.add(t);
                        }

                        @Override
                        public void onCompleted() {
                            events.add(END);
                        }
                    });
            var signed = sender.equals(payer.peerId()) ? request.sign(payer) : request.sign(payer, sender);
            up.onNext(GatewayMessage.newBuilder().setRequest(signed).build());
        } catch (RuntimeException e) {
            return failed(a, stream.output(), 0, 0, Optional.empty(), "cannot reach worker: " + e.getMessage());
        }

        String failure = null;
        boolean userStopped = false;
        Receipt receipt = null;
        while (failure == null && receipt == null) {
            Duration wait = stream.received() == 0 ? timeouts.firstToken() : timeouts.betweenTokens();
            Object event = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            switch (event) {
                case null -> failure = "stalled: nothing for " + wait.toMillis() + " ms";
                case WorkerMessage m when m.hasChunk() -> {
                    try {
                        GatewayStream.Accepted accepted = stream.onChunk(m.getChunk());
                        accepted.voucher().ifPresent(v -> sendVoucher(up, v, stream.paid()));
                        // tokens still in flight after a cancel are checked and paid, not shown
                        if (!userStopped && !listener.onTokens(a.worker(), accepted.tokens(), accepted.text())) {
                            userStopped = true;
                            up.onNext(GatewayMessage.newBuilder().setCancel(Cancel.newBuilder().setReason("client stopped")).build());
                        }
                    } catch (JobProtocolException e) {
                        failure = "invalid chunk: " + e.getMessage();
                    }
                }
                case WorkerMessage m when m.hasReceipt() -> {
                    try {
                        receipt = stream.onReceipt(m.getReceipt());
                    } catch (JobProtocolException e) {
                        failure = "invalid receipt: " + e.getMessage();
                    }
                }
                case WorkerMessage m when m.hasError() -> failure = "worker error " + m.getError().getCode() + ": " + m.getError().getMessage();
                case Throwable t -> failure = "stream failed: " + Status.fromThrowable(t).getCode() + " " + Optional.ofNullable(t.getMessage()).orElse("");
                default -> failure = "stream ended without a receipt";
            }
        }
        if (receipt != null && receipt.finishReason() == FinishReason.CANCELLED && !userStopped) {
            failure = "worker stopped the job after " + receipt.tokenCount() + " tokens";
        }
        stream.payDelivered().ifPresent(v -> sendVoucher(up, v, stream.paid()));
        long paid = stream.paid();
        if (failure != null) {
            up.cancel(failure, null);
            return new Outcome(new Attempt(a.worker(), output.length, stream.received(), paid, Optional.ofNullable(receipt), Optional.of(failure)),
                    stream.output(), FinishReason.CANCELLED, userStopped);
        }
        up.onCompleted();
        FinishReason finish = userStopped ? FinishReason.STOP : receipt.finishReason();
        return new Outcome(new Attempt(a.worker(), output.length, stream.received(), paid, Optional.of(receipt), Optional.empty()),
                stream.output(), finish, userStopped);
    }

    private static Outcome failed(Assignment a, int[] output, int delivered, long paid, Optional<Receipt> receipt, String why) {
        return new Outcome(new Attempt(a.worker(), output.length, delivered, paid, receipt, Optional.of(why)), output, FinishReason.CANCELLED, false);
    }

    private static void sendVoucher(StreamObserver<GatewayMessage> up, Voucher v, long jobPaid) {
        try {
            up.onNext(GatewayMessage.newBuilder().setVoucher(VoucherMessage.of(v, jobPaid)).build());
        } catch (RuntimeException e) {
            // the worker is gone; the voucher stays with the gateway's channel state for settlement accounting
        }
    }
}
