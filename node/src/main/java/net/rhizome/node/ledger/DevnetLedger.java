package net.rhizome.node.ledger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.net.transport.HostPort;
import net.rhizome.node.daemon.NodeConfig;

/**
 * The ledger of a devnet: node 1 hosts it and holds the faucet (credit issuer) key; every other
 * node uses it remotely. Genesis gives every node RHZ (enough to stake for any role) and a grant
 * of faucet credits; more credits come from {@code rhizome wallet faucet --node devnet:1}. An
 * existing host genesis is kept, so restarting a devnet continues its chain.
 */
public final class DevnetLedger {
    public static final long RHZ_PER_NODE = 1_000_000_000L;
    public static final long CREDITS_PER_NODE = 1_000_000_000L;

    private DevnetLedger() {}

    /** Writes ledger settings into each node's data directory; {@code dataDirs.get(0)} is the host. */
    public static void prepare(List<Path> dataDirs, HostPort hostRpc) throws IOException {
        List<KeyPair> keys = new ArrayList<>();
        for (Path dir : dataDirs) {
            keys.add(KeyPair.loadOrCreate(dir.resolve(NodeConfig.KEY_FILE)));
        }
        Path host = dataDirs.getFirst();
        if (!Files.exists(LedgerSettings.dir(host).resolve(LedgerSettings.GENESIS_FILE))) {
            KeyPair faucet = KeyPair.loadOrCreate(LedgerSettings.dir(host).resolve(LedgerSettings.FAUCET_KEY_FILE));
            List<GenesisConfig.Allocation> allocations = keys.stream()
                    .map(k -> new GenesisConfig.Allocation(k.peerId(), RHZ_PER_NODE, CREDITS_PER_NODE)).toList();
            LedgerSettings.writeHost(host, GenesisConfig.devnet("devnet", 0, faucet.peerId(), allocations));
        }
        for (int i = 1; i < dataDirs.size(); i++) {
            LedgerSettings.writeRemote(dataDirs.get(i), keys.getFirst().peerId(), hostRpc);
        }
    }
}
