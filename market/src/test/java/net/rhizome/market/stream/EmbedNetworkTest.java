package net.rhizome.market.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.gateway.EmbedDispatcher;
import net.rhizome.market.gateway.EmbedDispatcher.EmbedSpec;
import net.rhizome.market.gateway.JobDispatcher.Assignment;
import net.rhizome.market.job.EmbedRequest;
import net.rhizome.market.job.FinishReason;
import net.rhizome.market.job.GatewayChannel;
import net.rhizome.market.job.JobProtocolException;
import net.rhizome.market.job.JobRequest;
import net.rhizome.market.job.Receipt;
import net.rhizome.market.job.WorkerChannel;
import net.rhizome.market.proto.EmbedGatewayMessage;
import net.rhizome.market.proto.EmbedWorkerMessage;
import net.rhizome.market.proto.JobServiceGrpc;
import net.rhizome.market.worker.JobServer;
import net.rhizome.market.worker.TokenGenerator;
import net.rhizome.net.transport.HostPort;
import net.rhizome.net.transport.Misbehaviour;
import net.rhizome.net.transport.NodeTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Embedding jobs between a gateway and workers over the real node transport: paid per input token, with fail-over. */
class EmbedNetworkTest {
    static final long PRICE = 5;
    static final long DEPOSIT = 1_000_000;
    static final int DIMENSION = 8;
    static final Hash32 MODEL = Hash32.sha256("embed-model".getBytes(StandardCharsets.UTF_8));

    final KeyPair gatewayKey = KeyPair.generate();
    final NodeTransport gatewayTransport = new NodeTransport(gatewayKey);
    final List<AutoCloseable> closing = new ArrayList<>();
    final Map<PeerId, Worker> workers = new ConcurrentHashMap<>();
    final Map<PeerId, ManagedChannel> links = new ConcurrentHashMap<>();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    record Worker(KeyPair key, int port, NodeTransport.TransportServer server, WorkerChannel channel, GatewayChannel gatewayChannel,
            List<Receipt> receipts) {}

    /** Embeds like an engine would (a pure function of the tokens); the hook runs before each input. */
    record FormulaEmbedder(IntConsumer beforeInput) implements TokenGenerator {
        @Override
        public Generation start(JobRequest request) throws JobProtocolException {
            throw new JobProtocolException("this test worker only embeds");
        }

        @Override
        public float[] embed(Hash32 model, int[] tokens) throws JobProtocolException {
            if (!model.equals(MODEL)) {
                throw new JobProtocolException("model " + model.shortHex() + " is not served here");
            }
            beforeInput.accept(tokens[0]);
            return vector(tokens);
        }
    }

    static float[] vector(int[] tokens) {
        ByteBuffer b = ByteBuffer.allocate(4 * tokens.length);
        for (int t : tokens) {
            b.putInt(t);
        }
        ByteBuffer h = ByteBuffer.wrap(Hashes.sha256(b.array()));
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = h.getInt() / (float) Integer.MAX_VALUE;
        }
        return v;
    }

    @AfterEach
    void tearDown() throws Exception {
        links.values().forEach(ManagedChannel::shutdownNow);
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    Worker worker(String name, IntConsumer beforeInput) throws Exception {
        KeyPair key = KeyPair.generate();
        Hash32 channelId = Hash32.sha256(("channel-" + name).getBytes(StandardCharsets.UTF_8));
        WorkerChannel wc = new WorkerChannel(channelId, gatewayKey.peerId(), DEPOSIT);
        GatewayChannel gc = new GatewayChannel(channelId, gatewayKey, key.peerId(), DEPOSIT, 0, 0);
        List<Receipt> receipts = Collections.synchronizedList(new ArrayList<>());
        JobServer service = new JobServer(key, new FormulaEmbedder(beforeInput), (id, needed) -> id.equals(channelId) ? Optional.of(wc) : Optional.empty(),
                NodeTransport::callerId, JobNetworkTest.FAST, receipts::add);
        NodeTransport.TransportServer server = new NodeTransport(key).server(new InetSocketAddress("127.0.0.1", 0), List.of(service),
                Misbehaviour.IGNORE);
        closing.add(server);
        Worker w = new Worker(key, server.port(), server, wc, gc, receipts);
        workers.put(key.peerId(), w);
        return w;
    }

    ManagedChannel link(PeerId p) {
        return links.computeIfAbsent(p, x -> gatewayTransport.connect(x, new HostPort("127.0.0.1", workers.get(x).port())));
    }

    EmbedDispatcher dispatcher() {
        return new EmbedDispatcher(gatewayKey, this::link, (peer, model, needed) -> workers.get(peer).gatewayChannel(),
                JobNetworkTest.TIMEOUTS, Clock.systemUTC(), (peer, why) -> failures.add(peer.shortId() + " " + why));
    }

    /** Inputs whose first token numbers them (1, 2, …) and whose lengths vary. */
    static EmbedSpec spec(String job, int inputs) {
        List<int[]> in = new ArrayList<>();
        for (int i = 1; i <= inputs; i++) {
            int[] tokens = new int[1 + i % 7];
            tokens[0] = i;
            for (int j = 1; j < tokens.length; j++) {
                tokens[j] = 100 + i * j;
            }
            in.add(tokens);
        }
        return new EmbedSpec(Hash32.sha256(job.getBytes(StandardCharsets.UTF_8)), MODEL, in, DIMENSION);
    }

    static List<Assignment> order(Worker... ws) {
        return java.util.Arrays.stream(ws).map(w -> new Assignment(w.key().peerId(), PRICE)).toList();
    }

    @Test
    void aBatchIsEmbeddedInOrderAndPaidPerInputToken() throws Exception {
        Worker a = worker("a", i -> {});
        EmbedSpec spec = spec("batch", 12);
        EmbedDispatcher.Result result = dispatcher().run(spec, order(a));
        assertThat(result.embeddings()).hasSize(12);
        for (int i = 0; i < 12; i++) {
            assertThat(result.embeddings().get(i)).containsExactly(vector(spec.inputs().get(i)));
        }
        long tokens = spec.inputs().stream().mapToLong(in -> in.length).sum();
        EmbedDispatcher.Attempt attempt = result.attempts().getFirst();
        assertThat(attempt.inputs()).isEqualTo(12);
        assertThat(attempt.tokens()).isEqualTo(tokens);
        assertThat(attempt.paid()).isEqualTo(tokens * PRICE);
        assertThat(attempt.receipt().orElseThrow().finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(a.gatewayChannel().vouched()).isEqualTo(tokens * PRICE);
        awaitPaid(a, tokens * PRICE);
        assertThat(a.receipts()).singleElement().satisfies(r -> assertThat(r.tokenCount()).isEqualTo((int) tokens));
    }

    @Test
    void aKilledWorkerIsReplacedFromTheFirstMissingInput() throws Exception {
        AtomicReference<Worker> victim = new AtomicReference<>();
        Worker a = worker("a", first -> {
            if (first == 5) {
                victim.get().server().close(); // dies before embedding the fifth input
            }
        });
        victim.set(a);
        Worker b = worker("b", i -> {});
        EmbedSpec spec = spec("killed", 9);
        EmbedDispatcher.Result result = dispatcher().run(spec, order(a, b));
        for (int i = 0; i < 9; i++) {
            assertThat(result.embeddings().get(i)).containsExactly(vector(spec.inputs().get(i)));
        }
        EmbedDispatcher.Attempt first = result.attempts().getFirst();
        EmbedDispatcher.Attempt second = result.attempts().get(1);
        long firstTokens = spec.inputs().subList(0, 4).stream().mapToLong(in -> in.length).sum();
        long all = spec.inputs().stream().mapToLong(in -> in.length).sum();
        assertThat(first.failure()).isPresent();
        assertThat(first.inputs()).isEqualTo(4);
        assertThat(first.paid()).isEqualTo(firstTokens * PRICE);
        assertThat(second.firstInput()).isEqualTo(4);
        assertThat(second.paid()).isEqualTo((all - firstTokens) * PRICE);
        assertThat(a.gatewayChannel().vouched() + b.gatewayChannel().vouched()).isEqualTo(all * PRICE);
        assertThat(failures).hasSize(1);
    }

    @Test
    void aWorkerEmbedsNothingMoreForAGatewayThatDoesNotPay() throws Exception {
        Worker a = worker("a", i -> {});
        EmbedSpec spec = spec("freeloader", 6);
        EmbedRequest request = new EmbedRequest(spec.jobId(), MODEL, spec.inputs(), 0, PRICE, a.channel().channelId(),
                gatewayKey.peerId(), a.key().peerId(), 0);
        LinkedBlockingQueue<EmbedWorkerMessage> got = new LinkedBlockingQueue<>();
        StreamObserver<EmbedGatewayMessage> up = JobServiceGrpc.newStub(link(a.key().peerId())).embed(new StreamObserver<>() {
            @Override
            public void onNext(EmbedWorkerMessage m) {
                got.add(m);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        up.onNext(EmbedGatewayMessage.newBuilder().setRequest(request.sign(gatewayKey)).build());
        int embeddings = 0;
        EmbedWorkerMessage m;
        while ((m = got.poll(10, TimeUnit.SECONDS)) != null && m.hasEmbedding()) {
            embeddings++;
        }
        // inputs of 2, 3, 4, … tokens; the largest is 7: inputs 1 and 2 (5 tokens) fit on credit, input 3 would not
        assertThat(embeddings).as("inputs embedded on credit before the worker waits for a voucher").isEqualTo(2);
        assertThat(m).isNotNull();
        Receipt receipt = Receipt.verify(m.getReceipt());
        assertThat(receipt.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(receipt.tokenCount()).isEqualTo(5).isLessThanOrEqualTo(request.largestRemainingInput());
        assertThat(a.channel().paid()).isZero();
        up.onCompleted();
    }

    @Test
    void aJobForAModelTheWorkerDoesNotEmbedFailsOverAndCostsNothing() throws Exception {
        Worker a = worker("a", i -> {});
        EmbedSpec wrong = new EmbedSpec(Hash32.sha256("job".getBytes(StandardCharsets.UTF_8)), Hash32.ZERO, List.of(new int[] {1, 2}), DIMENSION);
        assertThatThrownBy(() -> dispatcher().run(wrong, order(a)))
                .isInstanceOf(EmbedDispatcher.EmbedException.class).hasMessageContaining("is not served here");
        assertThat(a.gatewayChannel().vouched()).isZero();
    }

    private static void awaitPaid(Worker w, long amount) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (w.channel().paid() != amount && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(w.channel().paid()).isEqualTo(amount);
    }
}
