package net.rhizome.market.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.gateway.JobDispatcher;
import net.rhizome.market.gateway.JobDispatcher.Assignment;
import net.rhizome.market.gateway.JobDispatcher.JobSpec;
import net.rhizome.market.job.FinishReason;
import net.rhizome.market.job.GatewayChannel;
import net.rhizome.market.job.JobRequest;
import net.rhizome.market.job.Receipt;
import net.rhizome.market.job.SamplingParams;
import net.rhizome.market.job.TokenChain;
import net.rhizome.market.job.WorkerChannel;
import net.rhizome.market.proto.GatewayMessage;
import net.rhizome.market.proto.JobServiceGrpc;
import net.rhizome.market.proto.TokenChunk;
import net.rhizome.market.proto.WorkerMessage;
import net.rhizome.market.worker.JobServer;
import net.rhizome.market.worker.TokenGenerator;
import net.rhizome.net.transport.HostPort;
import net.rhizome.net.transport.Misbehaviour;
import net.rhizome.net.transport.NodeTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gateway and workers over the real node transport (gRPC, TLS 1.3, node-key certificates) on loopback.
 * Channels are set up in memory here; the ledger opens them in the node.
 */
class JobNetworkTest {
    static final long PRICE = 3;
    static final long DEPOSIT = 1_000_000;
    static final JobServer.Settings FAST = new JobServer.Settings(4, 4, Duration.ofMillis(500), Duration.ofSeconds(2));
    static final JobDispatcher.Timeouts TIMEOUTS = new JobDispatcher.Timeouts(Duration.ofSeconds(20), Duration.ofMillis(700));

    final KeyPair gatewayKey = KeyPair.generate();
    final NodeTransport gatewayTransport = new NodeTransport(gatewayKey);
    final List<AutoCloseable> closing = new ArrayList<>();
    final Map<PeerId, Worker> workers = new ConcurrentHashMap<>();
    final Map<PeerId, ManagedChannel> links = new ConcurrentHashMap<>();
    final List<String> failures = new ArrayList<>();

    record Worker(KeyPair key, int port, NodeTransport.TransportServer server, WorkerChannel channel, GatewayChannel gatewayChannel,
            List<Receipt> receipts) {}

    @BeforeEach
    void setUp() {
        closing.add(() -> links.values().forEach(ManagedChannel::shutdownNow));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    Worker worker(String name, IntConsumer hook) throws Exception {
        return worker(name, new FormulaGenerator(hook), null);
    }

    Worker worker(String name, TokenGenerator generator, BindableService replacement) throws Exception {
        KeyPair key = KeyPair.generate();
        Hash32 channelId = Hash32.sha256(("channel-" + name).getBytes(StandardCharsets.UTF_8));
        WorkerChannel wc = new WorkerChannel(channelId, gatewayKey.peerId(), DEPOSIT);
        GatewayChannel gc = new GatewayChannel(channelId, gatewayKey, key.peerId(), DEPOSIT, 0, 0);
        List<Receipt> receipts = java.util.Collections.synchronizedList(new ArrayList<>());
        NodeTransport transport = new NodeTransport(key);
        BindableService service = replacement != null ? replacement
                : new JobServer(key, generator, (id, needed) -> id.equals(channelId) ? Optional.of(wc) : Optional.empty(),
                        NodeTransport::callerId, FAST, receipts::add);
        NodeTransport.TransportServer server = transport.server(new InetSocketAddress("127.0.0.1", 0), List.of(service), Misbehaviour.IGNORE);
        closing.add(server);
        Worker w = new Worker(key, server.port(), server, wc, gc, receipts);
        workers.put(key.peerId(), w);
        return w;
    }

    JobDispatcher dispatcher() {
        return new JobDispatcher(gatewayKey,
                peer -> links.computeIfAbsent(peer, p -> gatewayTransport.connect(p, new HostPort("127.0.0.1", workers.get(p).port()))),
                (peer, model, needed) -> workers.get(peer).gatewayChannel(), TIMEOUTS, Clock.systemUTC(),
                (peer, why) -> failures.add(peer.shortId() + " " + why));
    }

    static JobSpec spec(String job, int maxTokens) {
        return new JobSpec(Hash32.sha256(job.getBytes(StandardCharsets.UTF_8)), Hash32.sha256("model".getBytes(StandardCharsets.UTF_8)),
                new int[] {1, 2, 3, 4}, new SamplingParams(0.8f, 0.95f, 0, 0f, 1f, 42), maxTokens, List.of(), 16, FormulaGenerator.VOCAB);
    }

    static int[] expectedOutput(JobSpec spec, PeerId anyWorker) {
        JobRequest r = new JobRequest(spec.jobId(), spec.modelId(), spec.promptTokens(), spec.sampling(), spec.maxTokens(), PRICE,
                Hash32.ZERO, anyWorker, anyWorker, new int[0], List.of(), 16, 0);
        int[] out = new int[spec.maxTokens()];
        for (int i = 0; i < out.length; i++) {
            out[i] = FormulaGenerator.token(r, i);
        }
        return out;
    }

    static List<Assignment> order(Worker... ws) {
        return java.util.Arrays.stream(ws).map(w -> new Assignment(w.key().peerId(), PRICE)).toList();
    }

    @Test
    void aJobStreamsFromOneWorkerAndIsPaidExactly() throws Exception {
        Worker a = worker("a", i -> {});
        JobSpec spec = spec("plain", 50);
        StringBuilder text = new StringBuilder();
        JobDispatcher.Result result = dispatcher().run(spec, order(a), (w, tokens, bytes) -> {
            text.append(new String(bytes, StandardCharsets.UTF_8));
            return true;
        });
        assertThat(result.output()).containsExactly(expectedOutput(spec, a.key().peerId()));
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(text.toString()).startsWith("<" + result.output()[0] + ">");
        JobDispatcher.Attempt attempt = result.attempts().getFirst();
        assertThat(attempt.delivered()).isEqualTo(50);
        assertThat(attempt.paid()).isEqualTo(50 * PRICE);
        assertThat(attempt.receipt().orElseThrow().outputHash()).isEqualTo(TokenChain.over(spec.jobId(), result.output()));
        awaitPaid(a, 50 * PRICE);
        assertThat(a.receipts()).hasSize(1);
        assertThat(a.gatewayChannel().vouched()).isEqualTo(50 * PRICE);
    }

    @Test
    void aKilledWorkerIsReplacedAndTheAnswerIsIdentical() throws Exception {
        AtomicReference<Worker> victim = new AtomicReference<>();
        Worker a = worker("a", i -> {
            if (i == 20) {
                victim.get().server().close(); // the process dies: its connections drop mid-stream
            }
        });
        victim.set(a);
        Worker b = worker("b", i -> {});
        JobSpec spec = spec("killed", 60);
        JobDispatcher.Result result = dispatcher().run(spec, order(a, b), (w, t, x) -> true);

        assertThat(result.output()).containsExactly(expectedOutput(spec, a.key().peerId()));
        assertThat(result.attempts()).hasSize(2);
        JobDispatcher.Attempt first = result.attempts().getFirst();
        JobDispatcher.Attempt second = result.attempts().get(1);
        assertThat(first.failure()).isPresent();
        assertThat(first.delivered()).isEqualTo(20);
        assertThat(first.paid()).isEqualTo(20 * PRICE);
        assertThat(second.firstIndex()).isEqualTo(20);
        assertThat(second.delivered()).isEqualTo(40);
        assertThat(second.paid()).isEqualTo(40 * PRICE);
        assertThat(second.receipt().orElseThrow().outputHash()).isEqualTo(TokenChain.over(spec.jobId(), result.output()));
        assertThat(a.gatewayChannel().vouched() + b.gatewayChannel().vouched()).isEqualTo(60 * PRICE);
        assertThat(failures).hasSize(1);
    }

    @Test
    void aStalledWorkerIsReplacedAndPaidOnlyForWhatItDelivered() throws Exception {
        Worker a = worker("a", FormulaGenerator.stallAt(7));
        Worker b = worker("b", i -> {});
        JobSpec spec = spec("stalled", 30);
        JobDispatcher.Result result = dispatcher().run(spec, order(a, b), (w, t, x) -> true);
        assertThat(result.output()).containsExactly(expectedOutput(spec, a.key().peerId()));
        assertThat(result.attempts().getFirst().failure().orElseThrow()).startsWith("stalled");
        assertThat(result.attempts().getFirst().delivered()).isEqualTo(7);
        assertThat(a.gatewayChannel().vouched()).isEqualTo(7 * PRICE);
        assertThat(b.gatewayChannel().vouched()).isEqualTo(23 * PRICE);
    }

    @Test
    void anInvalidChunkFailsOverAndIsNotPaid() throws Exception {
        Worker liar = worker("liar", null, new JobServiceGrpc.JobServiceImplBase() {
            @Override
            public StreamObserver<GatewayMessage> run(StreamObserver<WorkerMessage> out) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(GatewayMessage m) {
                        if (m.hasRequest()) {
                            out.onNext(WorkerMessage.newBuilder().setChunk(TokenChunk.newBuilder().setIndex(0).addTokens(5)
                                    .setChainHash(com.google.protobuf.ByteString.copyFrom(new byte[32]))).build());
                        }
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                };
            }
        });
        Worker b = worker("b", i -> {});
        JobSpec spec = spec("liar", 20);
        JobDispatcher.Result result = dispatcher().run(spec, order(liar, b), (w, t, x) -> true);
        assertThat(result.output()).containsExactly(expectedOutput(spec, b.key().peerId()));
        assertThat(result.attempts().getFirst().failure().orElseThrow()).contains("invalid chunk").contains("hash chain");
        assertThat(liar.gatewayChannel().vouched()).isZero();
    }

    @Test
    void aWorkerStopsAGatewayThatDoesNotPay() throws Exception {
        Worker a = worker("a", i -> {});
        LinkedBlockingQueue<WorkerMessage> got = new LinkedBlockingQueue<>();
        ManagedChannel link = gatewayTransport.connect(a.key().peerId(), new HostPort("127.0.0.1", a.port()));
        links.put(a.key().peerId(), link);
        StreamObserver<GatewayMessage> up = openUnpaidJob(link, a, spec("freeloader", 100), got);
        int chunks = 0;
        WorkerMessage m;
        while ((m = got.poll(10, TimeUnit.SECONDS)) != null && m.hasChunk()) {
            chunks++;
        }
        assertThat(chunks).isEqualTo(16);
        assertThat(m).isNotNull();
        Receipt receipt = Receipt.verify(m.getReceipt());
        assertThat(receipt.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(receipt.tokenCount()).isEqualTo(16);
        assertThat(a.channel().paid()).isZero();
        up.onCompleted();
    }

    @Test
    void aGatewayKilledBeforePayingDoesNotBlockItsRestartedSuccessor() throws Exception {
        Worker a = worker("a", i -> {});
        LinkedBlockingQueue<WorkerMessage> got = new LinkedBlockingQueue<>();
        ManagedChannel dying = gatewayTransport.connect(a.key().peerId(), new HostPort("127.0.0.1", a.port()));
        openUnpaidJob(dying, a, spec("before-crash", 100), got);
        for (int i = 0; i < 16; i++) {
            assertThat(got.poll(10, TimeUnit.SECONDS)).isNotNull();
        }
        dying.shutdownNow(); // the gateway process dies with 16 tokens received and none paid

        // the restarted gateway continues the same channel; its first job must not wait for the dead one's payment
        JobSpec next = spec("after-restart", 40);
        JobDispatcher.Result result = dispatcher().run(next, order(a), (w, t, x) -> true);
        assertThat(result.output()).containsExactly(expectedOutput(next, a.key().peerId()));
        assertThat(result.attempts()).hasSize(1);
        awaitPaid(a, 40 * PRICE);
        assertThat(a.channel().earned()).as("the dead job's unpaid tokens are written off").isEqualTo(40 * PRICE);
    }

    @Test
    void aClientStopEndsTheJobAndPaysWhatWasDelivered() throws Exception {
        Worker a = worker("a", i -> {});
        JobSpec spec = spec("stopped", 200);
        int[] seen = {0};
        JobDispatcher.Result result = dispatcher().run(spec, order(a), (w, tokens, text) -> ++seen[0] < 5);
        assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(seen[0]).isEqualTo(5);
        JobDispatcher.Attempt attempt = result.attempts().getFirst();
        assertThat(attempt.failure()).isEmpty();
        assertThat(attempt.receipt().orElseThrow().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(attempt.paid()).isEqualTo(attempt.delivered() * PRICE);
        assertThat(attempt.delivered()).isLessThan(200);
        awaitPaid(a, attempt.paid());
    }

    @Test
    void onlyThePayerMaySubmitItsJobs() throws Exception {
        Worker a = worker("a", i -> {});
        Worker b = worker("b", i -> {});
        KeyPair intruder = KeyPair.generate();
        NodeTransport intruderTransport = new NodeTransport(intruder);
        JobSpec spec = spec("intruder", 10);
        JobDispatcher stolen = new JobDispatcher(gatewayKey,
                peer -> links.computeIfAbsent(peer, p -> intruderTransport.connect(p, new HostPort("127.0.0.1", workers.get(p).port()))),
                (peer, model, needed) -> workers.get(peer).gatewayChannel(), TIMEOUTS, Clock.systemUTC(), (p, w) -> {});
        assertThatThrownBy(() -> stolen.run(spec, order(a, b), (w, t, x) -> true))
                .isInstanceOf(JobDispatcher.DispatchException.class).hasMessageContaining("but sent by " + intruder.peerId().shortId());
    }

    @Test
    void aWalletsJobMayBeSentByTheNodeItNamesButByNoOtherNode() throws Exception {
        Worker a = worker("a", i -> {});
        Worker b = worker("b", i -> {});
        KeyPair node = KeyPair.generate();
        JobDispatcher relayed = new JobDispatcher(gatewayKey, node.peerId(), via(node), (peer, model, needed) -> workers.get(peer).gatewayChannel(),
                TIMEOUTS, Clock.systemUTC(), (p, w) -> {});
        JobSpec spec = spec("relayed", 20);
        JobDispatcher.Result result = relayed.run(spec, order(a), (w, t, x) -> true);
        assertThat(result.output()).containsExactly(expectedOutput(spec, a.key().peerId()));
        awaitPaid(a, 20 * PRICE);

        KeyPair other = KeyPair.generate();
        JobDispatcher elsewhere = new JobDispatcher(gatewayKey, node.peerId(), via(other), (peer, model, needed) -> workers.get(peer).gatewayChannel(),
                TIMEOUTS, Clock.systemUTC(), (p, w) -> {});
        assertThatThrownBy(() -> elsewhere.run(spec("elsewhere", 10), order(b), (w, t, x) -> true))
                .isInstanceOf(JobDispatcher.DispatchException.class).hasMessageContaining("but sent by " + other.peerId().shortId());
        JobDispatcher unnamed = new JobDispatcher(gatewayKey, via(node), (peer, model, needed) -> workers.get(peer).gatewayChannel(),
                TIMEOUTS, Clock.systemUTC(), (p, w) -> {});
        assertThatThrownBy(() -> unnamed.run(spec("unnamed", 10), order(b), (w, t, x) -> true))
                .isInstanceOf(JobDispatcher.DispatchException.class).hasMessageContaining("but sent by " + node.peerId().shortId());
    }

    /** Sends {@code spec} to {@code w} over {@code link} as a gateway that never pays; what the worker sends lands in {@code got}. */
    private StreamObserver<GatewayMessage> openUnpaidJob(ManagedChannel link, Worker w, JobSpec spec, LinkedBlockingQueue<WorkerMessage> got) {
        JobRequest request = new JobRequest(spec.jobId(), spec.modelId(), spec.promptTokens(), spec.sampling(), spec.maxTokens(), PRICE,
                w.channel().channelId(), gatewayKey.peerId(), w.key().peerId(), new int[0], List.of(), 16, 0);
        StreamObserver<GatewayMessage> up = JobServiceGrpc.newStub(link).run(new StreamObserver<>() {
            @Override
            public void onNext(WorkerMessage m) {
                got.add(m);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        up.onNext(GatewayMessage.newBuilder().setRequest(request.sign(gatewayKey)).build());
        return up;
    }

    /** Links to the workers over a transport of its own with {@code key}'s identity. */
    private java.util.function.Function<PeerId, io.grpc.Channel> via(KeyPair key) {
        NodeTransport transport = new NodeTransport(key);
        Map<PeerId, ManagedChannel> own = new ConcurrentHashMap<>();
        closing.add(() -> own.values().forEach(ManagedChannel::shutdownNow));
        return peer -> own.computeIfAbsent(peer, p -> transport.connect(p, new HostPort("127.0.0.1", workers.get(p).port())));
    }

    private static void awaitPaid(Worker w, long amount) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (w.channel().paid() != amount && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(w.channel().paid()).isEqualTo(amount);
    }
}
