package net.rhizome.node.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;

/**
 * One value per wallet that API keys pay from (the payment channels and dispatchers signing with that
 * wallet's key), built on first use, so each key's spending comes out of its own wallet only.
 */
public final class ApiKeysPerWallet<T> {
    private final ApiKeysWallets wallets;
    private final Function<KeyPair, T> build;
    private final Map<PeerId, T> built = new ConcurrentHashMap<>();

    public ApiKeysPerWallet(ApiKeysWallets wallets, Function<KeyPair, T> build) {
        this.wallets = wallets;
        this.build = build;
    }

    /** The value for {@code wallet}; a wallet this node does not hold is refused (401). */
    public T get(PeerId wallet) {
        KeyPair payer = wallets.payer(wallet);
        return built.computeIfAbsent(wallet, w -> build.apply(payer));
    }
}
