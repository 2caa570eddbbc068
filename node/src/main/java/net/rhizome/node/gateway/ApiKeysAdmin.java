package net.rhizome.node.gateway;

import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import net.rhizome.core.crypto.PeerId;

/**
 * The admin endpoints for API keys (admin token required):
 * {@code POST /api/admin/gateway/keys?label=L&wallet=W} creates a key paying from wallet {@code W}: {@code new}
 * (a fresh wallet of its own), {@code node} (the node's wallet; the default) or the address of a wallet this
 * node holds; {@code GET /api/admin/gateway/keys} lists keys with their wallet's credits;
 * {@code POST /api/admin/gateway/keys/ID/revoke}.
 */
public final class ApiKeysAdmin {
    public static final String NEW_WALLET = "new";
    private static final int MAX_LABEL = 100;

    private final ApiKeys keys;
    private final ApiKeysWallets wallets;
    private final CreditAccounts credits;

    public ApiKeysAdmin(ApiKeys keys, ApiKeysWallets wallets, CreditAccounts credits) {
        this.keys = keys;
        this.wallets = wallets;
        this.credits = credits;
    }

    public void routes(Javalin app, UnaryOperator<Handler> adminOnly) {
        app.post("/api/admin/gateway/keys", adminOnly.apply(c -> {
            String label = Optional.ofNullable(c.queryParam("label")).orElse("");
            if (label.length() > MAX_LABEL) {
                throw new IllegalArgumentException("label must be at most " + MAX_LABEL + " characters");
            }
            String walletName = Optional.ofNullable(c.queryParam("wallet")).orElse(ApiKeysWallets.NODE);
            boolean fresh = walletName.equals(NEW_WALLET);
            PeerId wallet = fresh ? wallets.create() : wallets.resolve(walletName);
            ApiKeys.Created created = keys.create(wallet, label);
            Map<String, Object> body = describe(created.entry());
            body.put("key", created.key());
            body.put("new_wallet", fresh);
            c.json(body);
        }));
        app.get("/api/admin/gateway/keys", adminOnly.apply(c -> c.json(keys.list().stream().map(this::describe).toList())));
        app.post("/api/admin/gateway/keys/{id}/revoke", adminOnly.apply(c -> {
            if (keys.revoke(c.pathParam("id"))) {
                c.json(Map.of("revoked", c.pathParam("id")));
            } else {
                c.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no API key " + c.pathParam("id")));
            }
        }));
    }

    private Map<String, Object> describe(ApiKeys.Entry e) {
        PeerId wallet = PeerId.parse(e.wallet());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("wallet", e.wallet());
        m.put("node_wallet", wallet.equals(wallets.nodeWallet()));
        m.put("credits", credits.available(wallet));
        m.put("label", e.label());
        m.put("created", e.created());
        m.put("revoked", e.revoked() == null ? "" : e.revoked());
        return m;
    }
}
