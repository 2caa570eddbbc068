package net.rhizome.market.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Asset;
import net.rhizome.ledger.EmbeddedLedger;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.market.gateway.CoolDown;
import net.rhizome.market.gateway.JobDispatcher;
import net.rhizome.market.gateway.Router;
import net.rhizome.market.job.SamplingParams;
import net.rhizome.market.ledger.LedgerChannels;
import net.rhizome.market.ledger.LedgerTransactions;
import net.rhizome.market.ledger.LedgerWorkerChannels;
import net.rhizome.market.worker.JobServer;
import net.rhizome.net.transport.HostPort;
import net.rhizome.net.transport.Misbehaviour;
import net.rhizome.net.transport.NodeTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs paid through real payment channels on a real (embedded, SQLite) ledger, workers registered with
 * stake, routed by the selection rule, one worker killed mid-stream: every credit the gateway's wallet
 * spent is what workers settled plus what stays refundable in its channels, to the base unit.
 */
class LedgerPaymentTest {
    static final Hash32 MODEL = Hash32.sha256("synthetic-model".getBytes(StandardCharsets.UTF_8));
    static final long CREDITS = 50_000_000;
    static final long STAKE = 2_000_000;

    @TempDir
    Path dir;

    final List<AutoCloseable> closing = new ArrayList<>();
    final Map<PeerId, Integer> ports = new ConcurrentHashMap<>();
    final Map<PeerId, LedgerWorkerChannels> workerChannels = new ConcurrentHashMap<>();
    final Map<PeerId, NodeTransport.TransportServer> servers = new ConcurrentHashMap<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void creditsSpentEqualSettledPlusRefundable() throws Exception {
        KeyPair gateway = KeyPair.generate();
        List<KeyPair> workerKeys = List.of(KeyPair.generate(), KeyPair.generate(), KeyPair.generate());
        List<GenesisConfig.Allocation> allocations = new ArrayList<>();
        allocations.add(new GenesisConfig.Allocation(gateway.peerId(), 0, CREDITS));
        workerKeys.forEach(k -> allocations.add(new GenesisConfig.Allocation(k.peerId(), STAKE * 2, 0)));
        GenesisConfig d = GenesisConfig.devnet("market-test", 1_700_000_000_000L, KeyPair.generate().peerId(), allocations);
        GenesisConfig genesis = new GenesisConfig(d.chainName(), d.timestampMillis(), d.creditIssuer(), d.allocations(), d.rewardPool(),
                d.emission(), d.epochBlocks(), d.unbondingBlocks(), 20, d.minStakes(), d.rewards(), d.disputes());
        EmbeddedLedger ledger = EmbeddedLedger.open(dir.resolve("ledger.db"), genesis);
        closing.add(ledger);
        ledger.startBlockTimer();

        AtomicReference<NodeTransport.TransportServer> victim = new AtomicReference<>();
        for (int i = 0; i < workerKeys.size(); i++) {
            KeyPair k = workerKeys.get(i);
            LedgerTransactions tx = new LedgerTransactions(ledger, k, Duration.ofSeconds(10));
            tx.submit(new Operation.Stake(STAKE + i * 500_000L));
            tx.submit(new Operation.RegisterWorker(List.of(MODEL), 5 + i));
            // the worker that wins job "job-1" dies after 12 tokens; the others are healthy
            IntConsumer hook = position -> {
                NodeTransport.TransportServer v = victim.get();
                if (position == 12 && v != null && v == servers.get(k.peerId())) {
                    v.close();
                }
            };
            LedgerWorkerChannels channels = new LedgerWorkerChannels(tx);
            JobServer server = new JobServer(k, new FormulaGenerator(hook), channels, NodeTransport::callerId,
                    new JobServer.Settings(4, 4, Duration.ofSeconds(5), Duration.ofSeconds(2)), r -> {});
            NodeTransport.TransportServer s = new NodeTransport(k).server(new InetSocketAddress("127.0.0.1", 0), List.of(server), Misbehaviour.IGNORE);
            closing.add(s);
            servers.put(k.peerId(), s);
            ports.put(k.peerId(), s.port());
            workerChannels.put(k.peerId(), channels);
        }

        Router router = new Router(
                () -> workerKeys.stream().map(k -> new Router.LivePeer(k.peerId(), List.of(MODEL.hex()), 50)).toList(),
                ledger::account, () -> ledger.head().hash(), () -> genesis.minStakes().worker(), new CoolDown(Clock.systemUTC()));
        NodeTransport transport = new NodeTransport(gateway);
        Map<PeerId, ManagedChannel> links = new ConcurrentHashMap<>();
        closing.add(() -> links.values().forEach(ManagedChannel::shutdownNow));
        LedgerChannels channels = new LedgerChannels(new LedgerTransactions(ledger, gateway, Duration.ofSeconds(10)), 10_000, 1_000);
        JobDispatcher dispatcher = new JobDispatcher(gateway,
                p -> links.computeIfAbsent(p, x -> transport.connect(x, new HostPort("127.0.0.1", ports.get(x)))),
                channels, new JobDispatcher.Timeouts(Duration.ofSeconds(20), Duration.ofSeconds(2)), Clock.systemUTC(), (p, w) -> {});

        long paidByAttempts = 0;
        for (int j = 1; j <= 4; j++) {
            Hash32 jobId = Hash32.sha256(("job-" + j).getBytes(StandardCharsets.UTF_8));
            Router.Route route = router.route(jobId, MODEL, 1000);
            assertThat(route.assignments()).hasSize(3);
            if (j == 1) {
                victim.set(servers.get(route.assignments().getFirst().worker()));
            }
            JobDispatcher.JobSpec spec = new JobDispatcher.JobSpec(jobId, MODEL, new int[] {1, 5, 9},
                    new SamplingParams(0.7f, 1f, 0, 0f, 1f, j), 40, List.of(), 16, FormulaGenerator.VOCAB);
            JobDispatcher.Result result = dispatcher.run(spec, route.assignments(), (w, t, x) -> true);
            assertThat(result.output()).hasSize(40);
            assertThat(result.attempts().getFirst().worker()).isEqualTo(route.assignments().getFirst().worker());
            if (j == 1) {
                assertThat(result.attempts()).hasSize(2);
                assertThat(result.attempts().getFirst().delivered()).isEqualTo(12);
            }
            for (JobDispatcher.Attempt a : result.attempts()) {
                paidByAttempts += a.paid();
            }
        }

        long settled = 0;
        for (KeyPair k : workerKeys) {
            long before = ledger.balance(k.peerId(), Asset.CREDITS);
            workerChannels.get(k.peerId()).settle(Long.MAX_VALUE);
            settled += ledger.balance(k.peerId(), Asset.CREDITS) - before;
        }
        long refundable = 0;
        for (Channel c : ledger.channels(gateway.peerId())) {
            if (c.open()) {
                refundable += c.deposit() - c.claimed();
            }
        }
        long spent = CREDITS - ledger.balance(gateway.peerId(), Asset.CREDITS);
        assertThat(spent).isEqualTo(settled + refundable);
        assertThat(settled).isPositive().isLessThanOrEqualTo(paidByAttempts);
        assertThat(ledger.checkInvariants()).isEmpty();
        Account gw = ledger.account(gateway.peerId()).orElseThrow();
        assertThat(gw.credits()).isEqualTo(CREDITS - spent);
    }
}
