package net.rhizome.node.cli.node;

import static net.rhizome.node.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.node.cli.CliRun;
import net.rhizome.node.daemon.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCliTest {
    @TempDir
    Path tmp;

    @Test
    void idPrintsThePeerIdOfTheKeyItCreates() throws Exception {
        CliRun first = run("id", "--data-dir", tmp.toString());
        CliRun second = run("id", "--data-dir", tmp.toString());

        assertThat(first.exit()).isZero();
        assertThat(first.out().trim()).matches("[0-9a-f]{64}").isEqualTo(second.out().trim());
        assertThat(KeyPair.loadOrCreate(tmp.resolve(NodeConfig.KEY_FILE)).peerId().hex()).isEqualTo(first.out().trim());
    }

    @Test
    void badFlagsPrintOneLineThenTheUsage() {
        for (String[] args : new String[][] {
            {"node", "start", "--listen", "nonsense"},
            {"node", "start", "--roles", "gateway,wizard"},
            {"node", "start", "--peer-timeout", "soon"},
            {"node", "start", "--no-such-flag"},
            {"devnet", "up", "--nodes", "many"},
        }) {
            CliRun r = run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            String[] lines = r.err().split("\n");
            assertThat(lines[0]).as(String.join(" ", args)).doesNotStartWith("Usage").isNotBlank();
            assertThat(lines[1]).startsWith("Usage:");
        }
        assertThat(run("node", "start", "--roles", "gateway,wizard").err()).contains("unknown role 'wizard'");
        assertThat(run("node", "start", "--listen", "nonsense").err()).contains("expected host:port");
    }

    @Test
    void outOfRangeNodeCountIsOneClearLine() {
        CliRun r = run("devnet", "up", "--nodes", "0", "--dir", tmp.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("rhizome devnet up: --nodes must be 1..64, got 0");

        CliRun one = run("devnet", "up", "--nodes", "1", "--dir", tmp.toString());
        assertThat(one.exit()).isEqualTo(2);
        assertThat(one.err().strip()).isEqualTo("rhizome devnet up: a devnet serving a model needs at least 2 nodes (or use --bare)");

        CliRun roles = run("devnet", "up", "--roles", "gateway", "--dir", tmp.toString());
        assertThat(roles.exit()).isEqualTo(2);
        assertThat(roles.err().strip()).contains("--roles and --node-roles go with --bare");
        assertThat(tmp.resolve("devnet.json")).doesNotExist();
    }

    @Test
    void commandsAimedAtAMissingNodeSayHowToStartOne() {
        CliRun noNode = run("node", "status", "--data-dir", tmp.resolve("none").toString());
        assertThat(noNode.exit()).isEqualTo(1);
        assertThat(noNode.err().strip()).contains("no node running from").contains("./rhizome node start").doesNotContain("\n");

        CliRun noDevnet = run("node", "status", "--node", "devnet:2", "--devnet-dir", tmp.toString());
        assertThat(noDevnet.err().strip()).contains("no devnet in").contains("./rhizome devnet up");

        CliRun badNode = run("node", "status", "--node", "ftp://x");
        assertThat(badNode.err().strip()).contains("--node must be a URL");

        CliRun refused = run("node", "status", "--node", "http://127.0.0.1:1");
        assertThat(refused.err().strip()).contains("no node running at http://127.0.0.1:1");

        CliRun devnetStatus = run("devnet", "status", "--dir", tmp.toString());
        assertThat(devnetStatus.exit()).isEqualTo(1);
        assertThat(devnetStatus.err().strip()).contains("no devnet in");
    }
}
