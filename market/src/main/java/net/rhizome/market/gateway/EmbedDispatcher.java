package net.rhizome.market.gateway;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.tx.Voucher;
import net.rhizome.market.gateway.JobDispatcher.Assignment;
import net.rhizome.market.gateway.JobDispatcher.Timeouts;
import net.rhizome.market.job.EmbedGatewayStream;
import net.rhizome.market.job.EmbedRequest;
import net.rhizome.market.job.FinishReason;
import net.rhizome.market.job.GatewayChannel;
import net.rhizome.market.job.JobProtocolException;
import net.rhizome.market.job.Receipt;
import net.rhizome.market.job.VoucherMessage;
import net.rhizome.market.proto.EmbedGatewayMessage;
import net.rhizome.market.proto.EmbedWorkerMessage;
import net.rhizome.market.proto.JobServiceGrpc;

/**
 * Runs an embedding job on workers in their selection order: pays each embedding's input tokens as it
 * arrives, and when a worker dies, stalls, sends an invalid embedding or gives up, continues on the next
 * worker from the first input still missing. Embeddings are a pure function of model and input, so the
 * result does not depend on who computed which input.
 */
public final class EmbedDispatcher {
    /** The job as the gateway prepared it. */
    public record EmbedSpec(Hash32 jobId, Hash32 modelId, List<int[]> inputs, int dimension) {
        public EmbedSpec {
            inputs = List.copyOf(inputs);
        }

        long tokensFrom(int first) {
            long n = 0;
            for (int i = first; i < inputs.size(); i++) {
                n += inputs.get(i).length;
            }
            return n;
        }
    }

    /** One worker's part: the inputs it embedded, the input tokens it was paid for, its receipt, or why it failed. */
    public record Attempt(PeerId worker, int firstInput, int inputs, long tokens, long paid, Optional<Receipt> receipt,
            Optional<String> failure) {}

    public record Result(List<float[]> embeddings, List<Attempt> attempts) {}

    /** No worker finished the job; {@code attempts} say why. */
    public static final class EmbedException extends Exception {
        private final transient List<Attempt> attempts;

        EmbedException(String message, List<Attempt> attempts) {
            super(message);
            this.attempts = List.copyOf(attempts);
        }

        public List<Attempt> attempts() {
            return attempts;
        }
    }

    private static final Object END = new Object();

    private final KeyPair payer;
    private final PeerId sender;
    private final Function<PeerId, Channel> links;
    private final GatewayChannels channels;
    private final Timeouts timeouts;
    private final Clock clock;
    private final BiConsumer<PeerId, String> onWorkerFailure;

    public EmbedDispatcher(KeyPair payer, Function<PeerId, Channel> links, GatewayChannels channels, Timeouts timeouts,
            Clock clock, BiConsumer<PeerId, String> onWorkerFailure) {
        this(payer, payer.peerId(), links, channels, timeouts, clock, onWorkerFailure);
    }

    /**
     * Jobs paid by {@code payer} (its key signs requests and vouchers) but sent over the transport of node
     * {@code sender}, which each request names: a gateway paying from a wallet of one of its API keys.
     */
    public EmbedDispatcher(KeyPair payer, PeerId sender, Function<PeerId, Channel> links, GatewayChannels channels, Timeouts timeouts,
            Clock clock, BiConsumer<PeerId, String> onWorkerFailure) {
        this.payer = Objects.requireNonNull(payer, "payer");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.links = Objects.requireNonNull(links, "links");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onWorkerFailure = Objects.requireNonNull(onWorkerFailure, "onWorkerFailure");
    }

    public Result run(EmbedSpec spec, List<Assignment> ranked) throws EmbedException, InterruptedException {
        float[][] out = new float[spec.inputs().size()][];
        List<Attempt> attempts = new ArrayList<>();
        int next = 0;
        for (Assignment a : ranked) {
            Attempt attempt = attempt(spec, a, next, out);
            attempts.add(attempt);
            next = attempt.firstInput() + attempt.inputs();
            if (attempt.failure().isEmpty() && next == out.length) {
                return new Result(Arrays.asList(out), attempts);
            }
            onWorkerFailure.accept(a.worker(), attempt.failure().orElse("receipt before the last input"));
        }
        String reasons = attempts.isEmpty() ? "no eligible worker"
                : String.join("; ", attempts.stream().map(a -> a.worker().shortId() + ": " + a.failure().orElse("?")).toList());
        throw new EmbedException(reasons, attempts);
    }

    private Attempt attempt(EmbedSpec spec, Assignment a, int first, float[][] out) throws InterruptedException {
        GatewayChannel channel;
        try {
            channel = channels.channelTo(a.worker(), spec.modelId(), Math.multiplyExact(spec.tokensFrom(first), a.pricePerToken()));
        } catch (GatewayChannels.ChannelUnavailableException e) {
            return new Attempt(a.worker(), first, 0, 0, 0, Optional.empty(), Optional.of("no payment channel: " + e.getMessage()));
        }
        EmbedRequest request = new EmbedRequest(spec.jobId(), spec.modelId(), spec.inputs(), first, a.pricePerToken(),
                channel.channelId(), payer.peerId(), a.worker(), clock.millis());
        EmbedGatewayStream stream = new EmbedGatewayStream(request, channel, spec.dimension());
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        ClientCallStreamObserver<EmbedGatewayMessage> up;
        try {
            up = (ClientCallStreamObserver<EmbedGatewayMessage>) JobServiceGrpc.newStub(links.apply(a.worker())).withExecutor(JobDispatcher.DIRECT)
                    .embed(new StreamObserver<>() {
                        @Override
                        public void onNext(EmbedWorkerMessage m) {
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
            up.onNext(EmbedGatewayMessage.newBuilder().setRequest(signed).build());
        } catch (RuntimeException e) {
            return new Attempt(a.worker(), first, 0, 0, 0, Optional.empty(), Optional.of("cannot reach worker: " + e.getMessage()));
        }
        String failure = null;
        Receipt receipt = null;
        while (failure == null && receipt == null) {
            // the first embedding includes a whole prefill; later ones one more each
            long wait = timeouts.firstToken().toMillis();
            Object event = events.poll(wait, TimeUnit.MILLISECONDS);
            switch (event) {
                case null -> failure = "stalled: nothing for " + wait + " ms";
                case EmbedWorkerMessage m when m.hasEmbedding() -> {
                    try {
                        EmbedGatewayStream.Accepted accepted = stream.onEmbedding(m.getEmbedding());
                        out[accepted.index()] = accepted.values();
                        sendVoucher(up, accepted.voucher(), stream.paid());
                    } catch (JobProtocolException e) {
                        failure = "invalid embedding: " + e.getMessage();
                    }
                }
                case EmbedWorkerMessage m when m.hasReceipt() -> {
                    try {
                        receipt = stream.onReceipt(m.getReceipt());
                    } catch (JobProtocolException e) {
                        failure = "invalid receipt: " + e.getMessage();
                    }
                }
                case EmbedWorkerMessage m when m.hasError() -> failure = "worker error " + m.getError().getCode() + ": " + m.getError().getMessage();
                case Throwable t -> failure = "stream failed: " + Status.fromThrowable(t).getCode() + " " + Optional.ofNullable(t.getMessage()).orElse("");
                default -> failure = "stream ended without a receipt";
            }
        }
        if (failure == null && receipt.finishReason() == FinishReason.CANCELLED) {
            failure = "worker stopped the job after input " + stream.nextInput();
        }
        int done = stream.nextInput() - first;
        if (failure != null) {
            up.cancel(failure, null);
        } else {
            up.onCompleted();
        }
        return new Attempt(a.worker(), first, done, stream.tokensReceived(), stream.paid(), Optional.ofNullable(receipt), Optional.ofNullable(failure));
    }

    private static void sendVoucher(StreamObserver<EmbedGatewayMessage> up, Voucher v, long jobPaid) {
        try {
            up.onNext(EmbedGatewayMessage.newBuilder().setVoucher(VoucherMessage.of(v, jobPaid)).build());
        } catch (RuntimeException e) {
            // the worker is gone; the channel's vouched total already counts it
        }
    }
}
