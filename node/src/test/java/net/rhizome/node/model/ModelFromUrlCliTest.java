package net.rhizome.node.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import net.rhizome.net.transport.HostPort;
import net.rhizome.node.cli.CliRun;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeDaemon;
import net.rhizome.node.daemon.Role;
import net.rhizome.node.swarm.SwarmFeature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model pull URL} into a real node, and {@code run --model URL}, against a local HTTP server. */
class ModelFromUrlCliTest {
    private static final String PATH = "/org/tiny/resolve/main/tiny-q8_0.gguf";

    @TempDir
    Path tmp;

    private ModelServer server;
    private byte[] model;
    private String sha;
    private Path modelFile;

    @BeforeEach
    void start() throws Exception {
        modelFile = tmp.resolve("tiny-q8_0.gguf");
        SyntheticModels.write(ModelShape.TINY, GgmlType.Q8_0, 11, modelFile);
        model = Files.readAllBytes(modelFile);
        sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
        server = new ModelServer().file(PATH, model, "\"e1\"");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static NodeConfig config(Path dataDir) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return new NodeConfig(dataDir, any, any, 0, "127.0.0.1", 0, List.of(), Set.of(Role.SEEDER),
                Duration.ofSeconds(10), Duration.ofMillis(300));
    }

    @Test
    void pullDownloadsResumesAndAddsTheModelToTheNodesStore() throws Exception {
        server.drop(PATH, 200_000, 1);
        Path dataDir = tmp.resolve("node");
        NodeConfig c = config(dataDir);
        try (NodeDaemon node = NodeDaemon.start(c, List.of(new SwarmFeature(c)))) {
            CliRun pull = CliRun.run("model", "pull", server.url(PATH), "--sha256", sha, "--data-dir", dataDir.toString());
            assertThat(pull.exit()).as(pull.err()).isZero();
            assertThat(pull.err()).contains("attempt 1 failed").contains("resuming tiny-q8_0.gguf").contains("ETA")
                    .contains("verifying");
            String id = pull.out().lines().filter(l -> l.startsWith("model id")).findFirst().orElseThrow().split("\\s+")[2];
            assertThat(pull.out()).contains("tiny-q8_0.gguf").contains("magnet:?xt=urn:btmh:1220" + id);
            assertThat(SwarmFeature.store(dataDir).resolve(id)).hasBinaryContent(model);

            CliRun again = CliRun.run("model", "pull", server.url(PATH), "--data-dir", dataDir.toString());
            assertThat(again.exit()).as(again.err()).isZero();
            assertThat(again.err()).contains("downloaded before");
            assertThat(again.out()).contains(id);
            assertThat(server.hitsOf(PATH)).isEqualTo(2);

            CliRun missing = CliRun.run("model", "pull", server.url("/org/tiny/resolve/main/nope.gguf"), "--data-dir", dataDir.toString());
            assertThat(missing.exit()).isNotZero();
            assertThat(missing.err()).contains("not found (HTTP 404)");

            CliRun wrongSum = CliRun.run("model", "pull", server.url(PATH), "--name", "other.gguf", "--sha256", "0".repeat(64),
                    "--data-dir", dataDir.toString());
            assertThat(wrongSum.exit()).isNotZero();
            assertThat(wrongSum.err()).contains("checksum mismatch");
        }
    }

    @Test
    void pullWithoutARunningNodeFailsBeforeDownloading() {
        CliRun pull = CliRun.run("model", "pull", server.url(PATH), "--data-dir", tmp.resolve("none").toString());
        assertThat(pull.exit()).isNotZero();
        assertThat(pull.err()).contains("pull:");
        assertThat(server.hits()).isEmpty();
    }

    @Test
    void runGeneratesFromAModelUrlAndDownloadsItOnce() {
        Path dataDir = tmp.resolve("data");
        String[] common = {"--prompt", "Once upon a time", "--max-tokens", "12", "--temperature", "0", "--json"};
        CliRun local = CliRun.run(concat(new String[] {"run", "--model", modelFile.toString()}, common));
        assertThat(local.exit()).as(local.err()).isZero();

        CliRun first = CliRun.run(concat(new String[] {"run", "--model", server.url(PATH), "--data-dir", dataDir.toString()}, common));
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(generated(first)).isEqualTo(generated(local)).contains("tokens");
        CliRun second = CliRun.run(concat(new String[] {"run", "--model", server.url(PATH), "--data-dir", dataDir.toString()}, common));
        assertThat(generated(second)).isEqualTo(generated(local));
        assertThat(server.hitsOf(PATH)).isEqualTo(1);

        CliRun html = CliRun.run("run", "--model", server.html("/page").url("/page"), "--data-dir", dataDir.toString());
        assertThat(html.exit()).isNotZero();
        assertThat(html.err()).contains("--model " + server.url("/page")).contains("HTML page");
    }

    /** The generated text and tokens, without the timing figures. */
    private static String generated(CliRun run) {
        try {
            JsonNode j = new ObjectMapper().readTree(run.out());
            return "text " + j.path("text").asText() + " tokens " + j.path("tokens");
        } catch (java.io.IOException e) {
            throw new AssertionError("run printed no JSON: " + run.out() + run.err(), e);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
