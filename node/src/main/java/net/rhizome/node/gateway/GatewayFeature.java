package net.rhizome.node.gateway;

import io.javalin.Javalin;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Asset;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.Ledger;
import net.rhizome.market.gateway.CoolDown;
import net.rhizome.market.gateway.EmbedDispatcher;
import net.rhizome.market.gateway.JobDispatcher;
import net.rhizome.market.gateway.Router;
import net.rhizome.market.ledger.ChannelJournal;
import net.rhizome.market.ledger.LedgerChannels;
import net.rhizome.market.ledger.LedgerTransactions;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeContext;
import net.rhizome.node.daemon.NodeFeature;
import net.rhizome.node.swarm.SwarmFeature;
import net.rhizome.swarm.store.ModelLibrary;
import net.rhizome.swarm.store.ModelStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway every node runs: the OpenAI-compatible API under {@code /v1} backed by the market
 * (workers found in the peer book, checked on the ledger, paid from the wallet of the request's API key), and the
 * admin endpoints for API keys (what it vouched on each payment channel is journaled in
 * {@code DATA_DIR/gateway/channels.journal}, so a restart continues the channels): {@code POST /api/admin/gateway/keys?label=L} (create),
 * {@code GET /api/admin/gateway/keys} (list), {@code POST /api/admin/gateway/keys/ID/revoke} ({@link ApiKeysAdmin}). Without a ledger the API
 * answers 503 with the reason.
 */
public final class GatewayFeature implements NodeFeature {
    private static final Logger log = LoggerFactory.getLogger(GatewayFeature.class);
    static final long CHANNEL_DEPOSIT = 5_000_000;
    static final long CHANNEL_EXPIRY_BLOCKS = 3_600;

    private final NodeConfig config;
    private final Supplier<Optional<Ledger>> ledger;
    private final Supplier<ModelLibrary> library;
    private NodeContext ctx;
    private ApiKeys keys;
    private ApiKeysWallets wallets;
    private ModelCatalog catalog;
    private ModelHeaders headers;
    private MarketBackend market;
    private volatile long minimumStake = -1;
    private Ledger led;
    private PeerRecords records;
    private Thread ticker;
    private ChannelJournal journal;

    /** {@code library}: the node's models in the swarm, through which the gateway fetches the headers of models workers serve. */
    public GatewayFeature(NodeConfig config, Supplier<Optional<Ledger>> ledger, Supplier<ModelLibrary> library) {
        this.config = config;
        this.ledger = ledger;
        this.library = library;
    }

    @Override
    public String name() {
        return "gateway";
    }

    @Override
    public void start(NodeContext context) throws Exception {
        ctx = context;
        keys = ApiKeys.open(config.dataDir().resolve("gateway").resolve("api-keys.json"));
        wallets = new ApiKeysWallets(config.dataDir().resolve("gateway").resolve("wallets"), ctx.key());
        catalog = new ModelCatalog();
        Optional<Ledger> l = ledger.get();
        if (l.isEmpty()) {
            return;
        }
        led = l.get();
        CoolDown coolDown = new CoolDown(Clock.systemUTC());
        records = new PeerRecords(ctx.peers(), ctx.connections(), ctx::ownRecord);
        Router router = new Router(records::live, led::account, () -> led.head().hash(), this::minimumStake, coolDown);
        headers = new ModelHeaders(library.get(), catalog, records::seeders, model -> !router.eligible(model).isEmpty(),
                ModelHeaders.FIRST_BYTES, ModelHeaders.MAX_BYTES);
        journal = ChannelJournal.open(config.dataDir().resolve("gateway").resolve("channels.journal"));
        BiConsumer<PeerId, String> onFailure = (worker, why) -> {
            log.info("worker failed, cooling down worker={} reason=\"{}\"", worker.shortId(), why);
            coolDown.failed(worker);
        };
        // the key's wallet opens the channels and signs requests and vouchers; the requests name this node as their sender
        ApiKeysPerWallet<Payers> payers = new ApiKeysPerWallet<>(wallets, account -> {
            ApiKeysChannels channels = new ApiKeysChannels(new LedgerChannels(new LedgerTransactions(led, account,
                    java.time.Duration.ofSeconds(30)), CHANNEL_DEPOSIT, CHANNEL_EXPIRY_BLOCKS, Optional.of(journal)));
            BiConsumer<PeerId, String> workerFailed = (worker, why) -> {
                if (!channels.lackedChannel(worker)) {
                    onFailure.accept(worker, why);
                }
            };
            return new Payers(new JobDispatcher(account, ctx.key().peerId(), ctx.connections()::channel, channels,
                    JobDispatcher.Timeouts.DEFAULT, Clock.systemUTC(), workerFailed),
                    new EmbedDispatcher(account, ctx.key().peerId(), ctx.connections()::channel, channels,
                            JobDispatcher.Timeouts.DEFAULT, Clock.systemUTC(), workerFailed));
        });
        market = new MarketBackend(catalog, router, wallet -> payers.get(wallet).jobs(), wallet -> payers.get(wallet).embeds(), coolDown);
        ticker = Thread.ofVirtual().name("gateway-prices").start(this::tick);
    }

    private record Payers(JobDispatcher jobs, EmbedDispatcher embeds) {}

    /** The genesis minimum worker stake, read once the ledger answers. */
    private long minimumStake() {
        long m = minimumStake;
        if (m < 0) {
            m = led.genesis().minStakes().worker();
            minimumStake = m;
        }
        return m;
    }

    /**
     * Once a second: price multipliers; every two seconds: peers' records and the headers of models they serve that the
     * catalog lacks; every ten: models newly in the store.
     */
    private void tick() {
        ModelStore store = SwarmFeature.store(config.dataDir());
        try {
            for (long n = 0; !Thread.currentThread().isInterrupted(); n++) {
                try {
                    if (n % 10 == 0) {
                        refreshCatalog(store);
                    }
                    if (n % 2 == 0) {
                        records.refresh();
                        headers.refresh(records.live());
                    }
                    market.updatePrices();
                } catch (RuntimeException e) {
                    log.warn("gateway upkeep failed (retrying): {}", e.getMessage());
                }
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void refreshCatalog(ModelStore store) {
        List<String> ids;
        try {
            ids = store.ids();
        } catch (IOException e) {
            log.warn("cannot list the model store: {}", e.getMessage());
            return;
        }
        for (String id : ids) {
            Hash32 h = Hash32.parse(id);
            if (catalog.get(h).isPresent()) {
                continue;
            }
            try {
                var file = store.resolve(id);
                catalog.add(h, store.metainfo(id).map(m -> m.info().name()).orElse(file.getFileName().toString()), file);
                log.info("gateway model available id={} file={}", id, file);
            } catch (IOException e) {
                log.debug("model not usable yet id={} reason={}", id, e.getMessage());
            }
        }
    }

    @Override
    public void routes(Javalin app) {
        CompletionBackend backend = market != null ? market : new NoLedger();
        Optional<Ledger> l = ledger.get();
        CreditAccounts credits = wallet -> l.map(x -> x.balance(wallet, Asset.CREDITS)).orElse(0L);
        new OpenAiApi(backend, keys, credits, Clock.systemUTC()).routes(app);
        new ApiKeysAdmin(keys, wallets, credits).routes(app, ctx::adminOnly);
    }

    /** The API's answer on a node started without a ledger: every model request is refused with the reason. */
    private static final class NoLedger implements CompletionBackend {
        @Override
        public List<ModelOffer> models() {
            return List.of();
        }

        @Override
        public Optional<ModelOffer> model(String id) {
            throw new OpenAiException(503, "server_error", "no_ledger", null,
                    "this node has no ledger configured, so it cannot pay workers; use a node of a network with a ledger");
        }

        @Override
        public int[] tokenize(ModelOffer model, Prompt prompt) {
            throw new IllegalStateException("unreachable: no model is offered without a ledger");
        }

        @Override
        public Outcome generate(Job job, TextSink sink) {
            throw new IllegalStateException("unreachable: no model is offered without a ledger");
        }

        @Override
        public Embeddings embed(EmbedJob job) {
            throw new IllegalStateException("unreachable: no model is offered without a ledger");
        }
    }

    @Override
    public void stop() {
        if (ticker != null) {
            ticker.interrupt();
        }
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException e) {
                log.warn("closing the channel journal failed: {}", e.toString());
            }
        }
    }
}
