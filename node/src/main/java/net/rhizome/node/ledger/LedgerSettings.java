package net.rhizome.node.ledger;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.GenesisFile;
import net.rhizome.net.transport.HostPort;

/**
 * How a node reaches the ledger, from {@code <data dir>/ledger/ledger.properties}: either it
 * hosts it ({@code mode=host}, genesis in {@code genesis.properties} next to it, optionally the
 * credit issuer's key in {@code faucet.key}) or it uses the ledger of another node
 * ({@code mode=remote}, {@code host.peer=<peer id>}, {@code host.address=host:port}).
 * Without the file the node runs without a ledger.
 */
public sealed interface LedgerSettings {
    String FILE = "ledger.properties";
    String GENESIS_FILE = "genesis.properties";
    String FAUCET_KEY_FILE = "faucet.key";
    String DATABASE_FILE = "ledger.db";

    record Host(Path dir) implements LedgerSettings {}

    record Remote(PeerId hostPeer, HostPort hostAddress) implements LedgerSettings {}

    static Path dir(Path dataDir) {
        return dataDir.resolve("ledger");
    }

    static Optional<LedgerSettings> read(Path dataDir) throws IOException {
        Path file = dir(dataDir).resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        if (Files.size(file) > 64 * 1024) {
            throw new IOException(file + " is larger than 64 KiB");
        }
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        String mode = p.getProperty("mode", "").trim();
        try {
            return Optional.of(switch (mode) {
                case "host" -> new Host(dir(dataDir));
                case "remote" -> new Remote(PeerId.parse(required(p, "host.peer")), HostPort.parse(required(p, "host.address")));
                default -> throw new IllegalArgumentException("mode must be 'host' or 'remote', got '" + mode + "'");
            });
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Makes {@code dataDir}'s node the ledger host of a chain with this genesis. */
    static void writeHost(Path dataDir, GenesisConfig genesis) throws IOException {
        Path dir = dir(dataDir);
        Files.createDirectories(dir);
        GenesisFile.write(dir.resolve(GENESIS_FILE), genesis);
        Files.writeString(dir.resolve(FILE), "mode=host\n");
    }

    /** Points {@code dataDir}'s node at the ledger hosted by another node. */
    static void writeRemote(Path dataDir, PeerId hostPeer, HostPort hostAddress) throws IOException {
        Path dir = dir(dataDir);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(FILE), "mode=remote\nhost.peer=" + hostPeer.hex() + "\nhost.address=" + hostAddress + "\n");
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing '" + key + "'");
        }
        return v.trim();
    }
}
