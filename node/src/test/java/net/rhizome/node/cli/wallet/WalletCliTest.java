package net.rhizome.node.cli.wallet;

import static net.rhizome.node.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.net.transport.HostPort;
import net.rhizome.node.cli.CliRun;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeDaemon;
import net.rhizome.node.daemon.Role;
import net.rhizome.node.ledger.LedgerFeature;
import net.rhizome.node.ledger.LedgerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rhizome wallet …} and {@code rhizome ledger status} against a real node hosting a ledger. */
class WalletCliTest {
    @TempDir
    Path tmp;

    @Test
    void walletCommandsDriveTheNodesAccount() throws Exception {
        Path dir = tmp.resolve("node");
        KeyPair key = KeyPair.loadOrCreate(dir.resolve(NodeConfig.KEY_FILE));
        KeyPair faucet = KeyPair.loadOrCreate(LedgerSettings.dir(dir).resolve(LedgerSettings.FAUCET_KEY_FILE));
        GenesisConfig d = GenesisConfig.devnet("cli-test", 0, faucet.peerId(), List.of(new GenesisConfig.Allocation(key.peerId(), 10_000_000, 0)));
        LedgerSettings.writeHost(dir, new GenesisConfig(d.chainName(), 0, d.creditIssuer(), d.allocations(), d.rewardPool(), d.emission(),
                d.epochBlocks(), 50, 100, d.minStakes(), d.rewards(), d.disputes()));
        HostPort any = new HostPort("127.0.0.1", 0);
        NodeConfig config = new NodeConfig(dir, any, any, 0, "127.0.0.1", 0, List.of(), Set.of(Role.GATEWAY),
                Duration.ofSeconds(10), Duration.ofSeconds(5));
        String other = KeyPair.deterministic("cli-other").peerId().hex();
        String d0 = dir.toString();
        try (NodeDaemon node = NodeDaemon.start(config, List.of(new LedgerFeature(config)))) {
            CliRun status = run("ledger", "status", "--data-dir", d0);
            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.out()).contains("cli-test").contains("height").contains("rhz 1,000,010,000,000");

            CliRun faucetRun = run("wallet", "faucet", "--to", "self", "--amount", "500", "--data-dir", d0);
            assertThat(faucetRun.exit()).as(faucetRun.err()).isZero();
            assertThat(faucetRun.out()).startsWith("accepted in block");

            CliRun transfer = run("wallet", "transfer", "--to", other, "--amount", "7", "--asset", "rhz", "--data-dir", d0);
            assertThat(transfer.exit()).as(transfer.err()).isZero();

            CliRun balance = run("wallet", "balance", "--json", "--data-dir", d0);
            var json = new ObjectMapper().readTree(balance.out());
            assertThat(json.path("credits").asLong()).isEqualTo(500);
            assertThat(json.path("rhz").asLong()).isEqualTo(10_000_000 - 7);

            assertThat(run("wallet", "stake", "--amount", "2000000", "--data-dir", d0).exit()).isZero();
            assertThat(run("wallet", "unbond", "--amount", "1", "--data-dir", d0).exit()).isZero();
            CliRun early = run("wallet", "withdraw", "--data-dir", d0);
            assertThat(early.exit()).isEqualTo(2);
            assertThat(early.err()).contains("WITHDRAW_BEFORE_UNBONDING");

            CliRun open = run("wallet", "channel", "open", "--payee", other, "--model", "ab".repeat(32), "--deposit", "100",
                    "--expiry-blocks", "20", "--data-dir", d0);
            assertThat(open.exit()).as(open.err()).isZero();
            assertThat(open.out()).containsPattern("channel [0-9a-f]{64}");
            CliRun list = run("wallet", "channel", "list", "--data-dir", d0);
            assertThat(list.out()).contains("open").contains("deposit 100");

            CliRun overdraft = run("wallet", "channel", "open", "--payee", other, "--model", "ab".repeat(32), "--deposit", "501",
                    "--data-dir", d0);
            assertThat(overdraft.exit()).isEqualTo(2);
            assertThat(overdraft.err()).contains("OVERDRAFT");

            CliRun history = run("wallet", "history", "--data-dir", d0);
            assertThat(history.out()).contains("OpenChannel").contains("BeginUnbond").contains("Transfer").contains("Mint");

            CliRun bad = run("wallet", "transfer", "--to", "nothex", "--amount", "1", "--data-dir", d0);
            assertThat(bad.exit()).isNotZero();
            assertThat(bad.err()).contains("peer id");
        }
    }
}
