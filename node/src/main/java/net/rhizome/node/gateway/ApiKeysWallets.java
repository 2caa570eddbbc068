package net.rhizome.node.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;

/**
 * The ledger accounts API keys pay from: the node's own wallet ({@code node}) and wallets created for
 * keys, each a key pair in {@code DIR/ADDRESS.key} (the seed in hex, mode 0600). Only wallets whose key
 * pair this node holds can open payment channels, so only those can back an API key. Thread-safe.
 */
public final class ApiKeysWallets {
    public static final String NODE = "node";
    private static final Pattern ADDRESS_PREFIX = Pattern.compile("[0-9a-f]{8,64}");
    private static final int MAX_WALLETS = ApiKeys.MAX_KEYS;

    private final Path dir;
    private final KeyPair node;
    private final Map<PeerId, KeyPair> loaded = new ConcurrentHashMap<>();

    public ApiKeysWallets(Path dir, KeyPair node) {
        this.dir = dir;
        this.node = node;
    }

    public PeerId nodeWallet() {
        return node.peerId();
    }

    /** A fresh wallet: a new key pair, stored before its address is handed out. */
    public synchronized PeerId create() throws IOException {
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                if (files.count() >= MAX_WALLETS) {
                    throw new IllegalStateException("this node already holds " + MAX_WALLETS + " key wallets");
                }
            }
        }
        // written (0600) under a temporary name first, since the file is named after the key's address
        Path fresh = dir.resolve(".new-" + UUID.randomUUID() + ".key");
        try {
            KeyPair created = KeyPair.loadOrCreate(fresh);
            Files.move(fresh, file(created.peerId()), StandardCopyOption.ATOMIC_MOVE);
            loaded.put(created.peerId(), created);
            return created.peerId();
        } finally {
            Files.deleteIfExists(fresh);
        }
    }

    /**
     * The wallet {@code name} names: {@code node}, or the full address or a unique prefix (8+ hex digits) of a
     * wallet this node holds.
     */
    public PeerId resolve(String name) throws IOException {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals(NODE)) {
            return node.peerId();
        }
        if (!ADDRESS_PREFIX.matcher(n).matches()) {
            throw new IllegalArgumentException("a wallet is 'node' or a wallet address (8 to 64 hex digits), got '" + name + "'");
        }
        if (node.peerId().hex().startsWith(n)) {
            return node.peerId();
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("this node holds no wallet " + n);
        }
        try (var files = Files.list(dir)) {
            var matches = files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".key") && f.startsWith(n)).limit(2).toList();
            if (matches.size() != 1) {
                throw new IllegalArgumentException(matches.isEmpty() ? "this node holds no wallet " + n
                        : "wallet prefix " + n + " is ambiguous; give more digits");
            }
            return PeerId.parse(matches.getFirst().substring(0, matches.getFirst().length() - ".key".length()));
        }
    }

    /** The key pair that signs for {@code wallet}, if this node holds it. */
    public Optional<KeyPair> key(PeerId wallet) {
        if (wallet.equals(node.peerId())) {
            return Optional.of(node);
        }
        KeyPair k = loaded.get(wallet);
        if (k != null) {
            return Optional.of(k);
        }
        Path f = file(wallet);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            KeyPair read = KeyPair.loadOrCreate(f);
            if (!read.peerId().equals(wallet)) {
                throw new IllegalStateException("wallet file " + f + " holds the key of " + read.peerId().shortId());
            }
            loaded.put(wallet, read);
            return Optional.of(read);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read wallet key " + f + ": " + e.getMessage(), e);
        }
    }

    /** The key pair paying for a request from {@code wallet}; a key bound to a wallet this node lacks is refused (401). */
    public KeyPair payer(PeerId wallet) {
        return key(wallet).orElseThrow(() -> OpenAiException.invalidKey("the key's wallet " + wallet.shortId()
                + " is not held by this node"));
    }

    private Path file(PeerId wallet) {
        return dir.resolve(wallet.hex() + ".key");
    }
}
