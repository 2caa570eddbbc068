package net.rhizome.node.worker;

import io.grpc.BindableService;
import io.javalin.Javalin;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import net.rhizome.core.bencode.BValue;
import net.rhizome.inference.engine.EngineOptions;
import net.rhizome.inference.engine.InferenceEngine;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.Ledger;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.market.ledger.LedgerTransactions;
import net.rhizome.market.ledger.LedgerWorkerChannels;
import net.rhizome.market.worker.EngineGenerator;
import net.rhizome.market.worker.JobServer;
import net.rhizome.net.transport.NodeTransport;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeContext;
import net.rhizome.node.daemon.NodeFeature;
import net.rhizome.node.daemon.Role;
import net.rhizome.node.swarm.SwarmFeature;
import net.rhizome.swarm.store.ModelStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker role: makes sure the node's account is staked (at least the ledger's minimum, else the
 * node does not start), loads the models it serves from the node's model store as they become
 * complete, registers them on the ledger at its price, serves jobs over the node transport with
 * {@link JobServer}, and settles its payment channels every 30 s and on shutdown. Loaded models go
 * into the node record.
 */
public final class WorkerFeature implements NodeFeature {
    private static final Logger log = LoggerFactory.getLogger(WorkerFeature.class);
    static final Duration SETTLE_EVERY = Duration.ofSeconds(30);
    static final long CLOSE_WITHIN_BLOCKS = 120;
    /** Node record extension: measured tokens/s, which gateways use to break near ties. */
    public static final String SPEED_KEY = "tps";

    private final NodeConfig config;
    private final Supplier<Optional<Ledger>> ledger;
    private final List<InferenceEngine> engines = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<Hash32, InferenceEngine> served = new java.util.concurrent.ConcurrentHashMap<>();
    private WorkerSettings settings;
    private LedgerTransactions tx;
    private Thread loader;
    private JobServer server;
    private LedgerWorkerChannels channels;
    private ReceiptLog receipts;
    private Thread settler;

    public WorkerFeature(NodeConfig config, Supplier<Optional<Ledger>> ledger) {
        this.config = config;
        this.ledger = ledger;
    }

    @Override
    public String name() {
        return "worker";
    }

    @Override
    public void start(NodeContext ctx) throws Exception {
        if (!config.roles().contains(Role.WORKER)) {
            return;
        }
        Optional<WorkerSettings> configured = WorkerSettings.read(config.dataDir());
        if (configured.isEmpty()) {
            log.warn("worker role without models to serve: start the node with --serve MODEL_ID[,…] to take jobs");
            return;
        }
        settings = configured.get();
        Ledger l = ledger.get().orElseThrow(() ->
                new IllegalStateException("the worker role needs a ledger to be paid: configure the node's ledger (host or remote)"));
        tx = new LedgerTransactions(l, ctx.key(), Duration.ofSeconds(30));
        stakeWhenLedgerAnswers(l);
        channels = new LedgerWorkerChannels(tx);
        receipts = new ReceiptLog(config.dataDir().resolve("worker").resolve("receipts.jsonl"));
        server = new JobServer(ctx.key(), new EngineGenerator(served), channels, NodeTransport::callerId,
                new JobServer.Settings(settings.capacity(), settings.capacity() * 4, Duration.ofSeconds(10), Duration.ofSeconds(5)),
                receipts::append);
        ctx.advertiseExtension(SPEED_KEY, () -> BValue.integer(oneSignificantDigit(server.measuredTokensPerSecond())));
        loader = Thread.ofVirtual().name("worker-models").start(this::loadModels);
        settler = Thread.ofVirtual().name("worker-settle").start(this::settleLoop);
    }

    /**
     * Loads each served model once it is complete in the model store (it may still be downloading
     * through the swarm), then registers the loaded models on the ledger; only then does the node
     * record advertise them, so gateways never route to a model that is not ready.
     */
    private void loadModels() {
        ModelStore store = SwarmFeature.store(config.dataDir());
        try {
            while (served.size() < settings.serve().size()) {
                for (String id : settings.serve()) {
                    Hash32 h = Hash32.parse(id);
                    if (served.containsKey(h)) {
                        continue;
                    }
                    try {
                        Path file = store.resolve(id);
                        InferenceEngine engine = InferenceEngine.load(file, EngineOptions.defaults(), (done, total) -> {});
                        List<Hash32> models = new ArrayList<>(served.keySet());
                        models.add(h);
                        try {
                            register(models);
                        } catch (LedgerTransactions.LedgerException | RuntimeException e) {
                            engine.close();
                            throw e;
                        }
                        engines.add(engine);
                        served.put(h, engine);
                        log.info("worker serving id={} file={}", id, file);
                    } catch (IOException e) {
                        log.debug("model not ready id={} reason={}", id, e.getMessage());
                    } catch (LedgerTransactions.LedgerException | RuntimeException e) {
                        log.warn("cannot serve model id={} reason=\"{}\"", id, e.getMessage());
                    }
                }
                Thread.sleep(served.size() < settings.serve().size() ? 2000 : 0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Rounded down to one significant digit, so the signed record changes only when the speed really does. */
    static long oneSignificantDigit(long v) {
        long scale = 1;
        while (v / scale >= 10) {
            scale *= 10;
        }
        return v / scale * scale;
    }

    /** The ledger host may still be starting (a devnet starts all nodes at once): retry for a minute. */
    private void stakeWhenLedgerAnswers(Ledger l) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            try {
                ensureStake(l);
                return;
            } catch (InsufficientStake e) {
                throw e;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the ledger did not answer for a minute: " + e.getMessage(), e);
                }
                log.info("waiting for the ledger: {}", e.getMessage());
                Thread.sleep(1000);
            }
        }
    }

    /** Stakes up to the ledger's minimum from the account's free RHZ, or fails naming what is missing. */
    private void ensureStake(Ledger l) throws LedgerTransactions.LedgerException {
        long min = l.genesis().minStakes().worker();
        Account a = l.account(tx.account().peerId()).orElse(Account.empty(tx.account().peerId()));
        if (a.staked() >= min) {
            return;
        }
        long missing = min - a.staked();
        if (a.rhz() < missing) {
            throw new InsufficientStake("a worker needs a stake of at least " + min + " RHZ units; this account has "
                    + a.staked() + " staked and " + a.rhz() + " free (get RHZ first, e.g. from the devnet faucet)");
        }
        tx.submit(new Operation.Stake(missing));
        log.info("worker staked amount={} total={}", missing, min);
    }

    /** The account cannot stake the minimum: the worker role cannot start. */
    static final class InsufficientStake extends IllegalStateException {
        InsufficientStake(String message) {
            super(message);
        }
    }

    private void register(List<Hash32> models) throws LedgerTransactions.LedgerException {
        Account now = tx.ledger().account(tx.account().peerId()).orElseThrow();
        if (!now.hasRole(Account.ROLE_WORKER) || !now.models().equals(models) || now.pricePerToken() != settings.pricePerToken()) {
            tx.submit(new Operation.RegisterWorker(models, settings.pricePerToken()));
            log.info("worker registered models={} price_per_token={}", models.size(), settings.pricePerToken());
        }
    }

    private void settleLoop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(SETTLE_EVERY);
                channels.settle(CLOSE_WITHIN_BLOCKS).forEach(s ->
                        log.info("channel settled id={} amount={} closed={}", s.channel().shortHex(), s.cumulativeAmount(), s.closed()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public List<BindableService> rpcServices() {
        return server == null ? List.of() : List.of(server);
    }

    @Override
    public List<String> servedModels() {
        return served.keySet().stream().map(Hash32::hex).sorted().toList();
    }

    @Override
    public void routes(Javalin app) {
        app.get("/api/worker", ctx -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("serving", servedModels());
            m.put("configured", settings == null ? List.of() : settings.serve());
            m.put("price_per_token", settings == null ? 0 : settings.pricePerToken());
            m.put("capacity", server == null ? 0 : server.settings().capacity());
            m.put("running", server == null ? 0 : server.running());
            m.put("admitted", server == null ? 0 : server.admitted());
            m.put("vouched", channels == null ? 0 : channels.vouched());
            m.put("tokens_per_second", server == null ? 0 : server.measuredTokensPerSecond());
            ctx.json(m);
        });
    }

    @Override
    public void stop() {
        if (loader != null) {
            loader.interrupt();
        }
        if (settler != null) {
            settler.interrupt();
        }
        if (channels != null) {
            try {
                channels.settle(Long.MAX_VALUE);
            } catch (RuntimeException e) {
                log.warn("final settlement failed: {}", e.toString());
            }
        }
        engines.forEach(InferenceEngine::close);
        if (receipts != null) {
            try {
                receipts.close();
            } catch (IOException e) {
                log.warn("closing the receipt log failed: {}", e.toString());
            }
        }
    }
}
