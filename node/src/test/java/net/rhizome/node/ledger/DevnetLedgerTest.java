package net.rhizome.node.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.GenesisFile;
import net.rhizome.net.transport.HostPort;
import net.rhizome.node.daemon.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevnetLedgerTest {
    @TempDir
    Path tmp;

    @Test
    void nodeOneHostsAndTheOthersPointAtIt() throws Exception {
        List<Path> dirs = List.of(tmp.resolve("n1"), tmp.resolve("n2"), tmp.resolve("n3"));
        DevnetLedger.prepare(dirs, new HostPort("127.0.0.1", 7001));
        KeyPair host = KeyPair.loadOrCreate(dirs.get(0).resolve(NodeConfig.KEY_FILE));
        assertThat(LedgerSettings.read(dirs.get(0))).containsInstanceOf(LedgerSettings.Host.class);
        assertThat(LedgerSettings.read(dirs.get(2))).contains(new LedgerSettings.Remote(host.peerId(), new HostPort("127.0.0.1", 7001)));
        GenesisConfig genesis = GenesisFile.read(LedgerSettings.dir(dirs.get(0)).resolve(LedgerSettings.GENESIS_FILE));
        assertThat(genesis.allocations()).hasSize(3).allMatch(a -> a.rhz() == DevnetLedger.RHZ_PER_NODE);
        assertThat(genesis.creditIssuer())
                .isEqualTo(KeyPair.loadOrCreate(LedgerSettings.dir(dirs.get(0)).resolve(LedgerSettings.FAUCET_KEY_FILE)).peerId());

        // a restart keeps the chain and only moves the host address
        DevnetLedger.prepare(dirs, new HostPort("127.0.0.1", 7002));
        assertThat(GenesisFile.read(LedgerSettings.dir(dirs.get(0)).resolve(LedgerSettings.GENESIS_FILE))).isEqualTo(genesis);
        assertThat(LedgerSettings.read(dirs.get(1))).contains(new LedgerSettings.Remote(host.peerId(), new HostPort("127.0.0.1", 7002)));
        assertThat(LedgerSettings.read(tmp.resolve("none"))).isEmpty();
    }
}
