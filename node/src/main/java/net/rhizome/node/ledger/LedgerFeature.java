package net.rhizome.node.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.BindableService;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.core.util.Hex;
import net.rhizome.ledger.Asset;
import net.rhizome.ledger.EmbeddedLedger;
import net.rhizome.ledger.GenesisFile;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.Ledger;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.tx.Ids;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.Voucher;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeContext;
import net.rhizome.node.daemon.NodeFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger in the node: hosts it (embedded, SQLite in {@code <data dir>/ledger}, served to other
 * nodes over gRPC) or uses a remote host, per {@link LedgerSettings}. HTTP: public reads under
 * {@code /api/ledger/…}; the node's own wallet (signing with the node key) and the faucet are admin-only.
 */
public final class LedgerFeature implements NodeFeature {
    private static final Logger log = LoggerFactory.getLogger(LedgerFeature.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    private final NodeConfig config;
    private NodeContext context;
    private Ledger ledger;
    private String mode;
    private NodeWallet wallet;
    private NodeWallet faucet;

    public LedgerFeature(NodeConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "ledger";
    }

    /** The ledger this node uses, once started with ledger settings. */
    public Optional<Ledger> ledger() {
        return Optional.ofNullable(ledger);
    }

    @Override
    public void start(NodeContext ctx) throws Exception {
        context = ctx;
        Optional<LedgerSettings> settings = LedgerSettings.read(config.dataDir());
        if (settings.isEmpty()) {
            log.info("no ledger settings in {}; running without a ledger", LedgerSettings.dir(config.dataDir()));
            return;
        }
        switch (settings.get()) {
            case LedgerSettings.Host host -> {
                EmbeddedLedger embedded = EmbeddedLedger.open(host.dir().resolve(LedgerSettings.DATABASE_FILE),
                        GenesisFile.read(host.dir().resolve(LedgerSettings.GENESIS_FILE)));
                embedded.startBlockTimer();
                ledger = embedded;
                mode = "host";
                Path faucetKey = host.dir().resolve(LedgerSettings.FAUCET_KEY_FILE);
                if (Files.exists(faucetKey)) {
                    faucet = new NodeWallet(KeyPair.loadOrCreate(faucetKey), ledger);
                }
            }
            case LedgerSettings.Remote remote -> {
                ledger = new RemoteLedger(ctx.transport().connect(remote.hostPeer(), remote.hostAddress()), remote.hostPeer());
                mode = "remote";
            }
        }
        wallet = new NodeWallet(ctx.key(), ledger);
        log.info("ledger ready mode={} height={}", mode, mode.equals("host") ? ledger.head().height() : "(remote)");
    }

    @Override
    public List<BindableService> rpcServices() {
        return ledger instanceof EmbeddedLedger ? List.of(new LedgerGrpcService(ledger)) : List.of();
    }

    @Override
    public void routes(Javalin app) {
        app.get("/api/ledger/status", ctx -> withLedger(ctx, l -> ctx.json(LedgerJson.status(l, mode))));
        app.get("/api/ledger/accounts/{id}", ctx -> withLedger(ctx, l -> {
            PeerId id = peer(ctx.pathParam("id"));
            Map<String, Object> body = l.account(id).map(LedgerJson::account)
                    .orElseGet(() -> LedgerJson.account(net.rhizome.ledger.state.Account.empty(id)));
            ctx.json(body);
        }));
        app.get("/api/ledger/accounts/{id}/channels", ctx -> withLedger(ctx,
                l -> ctx.json(l.channels(peer(ctx.pathParam("id"))).stream().map(LedgerJson::channel).toList())));
        app.get("/api/ledger/accounts/{id}/history", ctx -> withLedger(ctx, l -> {
            int limit = ctx.queryParamAsClass("limit", Integer.class).getOrDefault(20);
            if (limit < 1 || limit > LedgerGrpcService.MAX_HISTORY) {
                throw new IllegalArgumentException("limit must be 1.." + LedgerGrpcService.MAX_HISTORY);
            }
            ctx.json(l.history(peer(ctx.pathParam("id")), limit).stream().map(LedgerJson::record).toList());
        }));
        app.get("/api/ledger/channels/{id}", ctx -> withLedger(ctx, l -> {
            var channel = l.channel(Hash32.parse(ctx.pathParam("id")));
            if (channel.isEmpty()) {
                ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no channel " + ctx.pathParam("id")));
            } else {
                ctx.json(LedgerJson.channel(channel.get()));
            }
        }));
        app.post("/api/ledger/wallet/{action}", context.adminOnly(ctx -> withLedger(ctx, l -> {
            Operation op = walletOperation(ctx.pathParam("action"), body(ctx), l);
            NodeWallet.Sent sent = wallet.send(op);
            Map<String, Object> out = LedgerJson.outcome(sent);
            if (op instanceof Operation.OpenChannel) {
                out.put("channel", Ids.channel(sent.tx().transaction().sender(), sent.tx().transaction().nonce()).hex());
            }
            ctx.json(out);
        })));
        app.post("/api/ledger/faucet", context.adminOnly(ctx -> withLedger(ctx, l -> {
            if (faucet == null) {
                ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "this node holds no faucet key ("
                        + LedgerSettings.dir(config.dataDir()).resolve(LedgerSettings.FAUCET_KEY_FILE) + ")"));
                return;
            }
            JsonNode b = body(ctx);
            ctx.json(LedgerJson.outcome(faucet.send(new Operation.Mint(peer(text(b, "to")), amount(b, "amount")))));
        })));
    }

    private Operation walletOperation(String action, JsonNode b, Ledger l) {
        long height = l.head().height();
        return switch (action) {
            case "transfer" -> new Operation.Transfer(peer(text(b, "to")), asset(text(b, "asset")), amount(b, "amount"));
            case "stake" -> new Operation.Stake(amount(b, "amount"));
            case "unbond" -> new Operation.BeginUnbond(amount(b, "amount"));
            case "withdraw" -> new Operation.Withdraw();
            case "channel-open" -> new Operation.OpenChannel(peer(text(b, "payee")), Hash32.parse(text(b, "model")),
                    amount(b, "deposit"), height + amount(b, "expiry_blocks"));
            case "channel-top-up" -> {
                Hash32 id = Hash32.parse(text(b, "channel"));
                long expiry = l.channel(id).map(c -> c.expiryHeight()).orElseThrow(() -> new IllegalArgumentException("no channel " + id.hex()));
                yield new Operation.TopUpChannel(id, amount(b, "amount"),
                        b.hasNonNull("expiry_blocks") ? Math.max(expiry, height + amount(b, "expiry_blocks")) : expiry);
            }
            case "channel-close" -> {
                Hash32 id = Hash32.parse(text(b, "channel"));
                if (b.hasNonNull("voucher")) {
                    try {
                        yield new Operation.SettleChannel(Voucher.decode(Hex.decode(text(b, "voucher"))), true);
                    } catch (DecodeException e) {
                        throw new IllegalArgumentException(e.getMessage());
                    }
                }
                yield new Operation.RefundChannel(id);
            }
            default -> throw new IllegalArgumentException("unknown wallet action '" + action
                    + "' (transfer, stake, unbond, withdraw, channel-open, channel-top-up, channel-close)");
        };
    }

    private interface LedgerAction {
        void run(Ledger l) throws Exception;
    }

    private void withLedger(Context ctx, LedgerAction action) throws Exception {
        if (ledger == null) {
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("error", "this node has no ledger configured ("
                    + LedgerSettings.dir(config.dataDir()).resolve(LedgerSettings.FILE) + ")"));
            return;
        }
        try {
            action.run(ledger);
        } catch (IllegalArgumentException e) {
            ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", e.getMessage()));
        } catch (IllegalStateException e) {
            ctx.status(HttpStatus.BAD_GATEWAY).json(Map.of("error", e.getMessage()));
        }
    }

    private static JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text.length() > MAX_BODY) {
            throw new IllegalArgumentException("request body larger than " + MAX_BODY + " bytes");
        }
        try {
            JsonNode node = JSON.readTree(text.isBlank() ? "{}" : text);
            if (!node.isObject()) {
                throw new IllegalArgumentException("request body must be a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("request body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' (a string) is required");
        }
        return v.asText();
    }

    private static long amount(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() <= 0) {
            throw new IllegalArgumentException("'" + field + "' must be a positive integer");
        }
        return v.asLong();
    }

    private static Asset asset(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "credits" -> Asset.CREDITS;
            case "rhz" -> Asset.RHZ;
            default -> throw new IllegalArgumentException("asset must be 'credits' or 'rhz', got '" + text + "'");
        };
    }

    private PeerId peer(String text) {
        if (text.equals("self")) {
            return wallet.key().peerId();
        }
        return PeerId.parse(text);
    }

    @Override
    public void stop() {
        if (ledger != null) {
            ledger.close();
        }
    }
}
