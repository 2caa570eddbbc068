package net.rhizome.node.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import net.rhizome.node.cli.CliRun;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeLocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code devnet up --nodes 2} as a user runs it (real node processes, the default synthetic model): node 2 fetches
 * the model and serves it, each node's {@code api_key} in devnet.json pays from a wallet the faucet funded, and
 * {@code chat --node devnet:K} answers through either node's gateway with that key, node 2's routing to its own worker.
 */
class ModelDevnetCliTest {
    @TempDir
    Path dir;

    @AfterEach
    void down() throws Exception {
        Devnet.down(dir, Duration.ofSeconds(10));
    }

    @Test
    void chatThroughEachNodeWithItsRecordedKey() throws Exception {
        CliRun up = CliRun.run("devnet", "up", "--nodes", "2", "--dir", dir.toString());
        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).contains("workers serving the model: 1 of 1");

        DevnetManifest manifest = DevnetManifest.read(dir);
        for (int k = 1; k <= 2; k++) {
            String key = manifest.node(k).apiKey();
            assertThat(key).as("node %d's api_key", k).startsWith("rhz-");
            NodeClient node = new NodeClient(NodeLocator.resolve("devnet:" + k, dir, dir));
            JsonNode keys = node.get("/api/admin/gateway/keys");
            assertThat(keys.toString()).as("node %d's key wallet holds the faucet's credits", k)
                    .contains("\"credits\":" + ModelDevnet.CREDITS_PER_KEY);

            CliRun chat = CliRun.run("chat", "--node", "devnet:" + k, "--devnet-dir", dir.toString(),
                    "--prompt", "Once upon a time", "--max-tokens", "8", "--temperature", "0");
            assertThat(chat.exit()).as("chat through node %d: %s", k, chat.err()).isZero();
            assertThat(chat.out()).as("chat through node %d", k).isNotBlank();
        }
    }
}
