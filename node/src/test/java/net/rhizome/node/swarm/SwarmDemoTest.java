package net.rhizome.node.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import net.rhizome.node.cli.CliRun;
import net.rhizome.node.daemon.Role;
import net.rhizome.node.devnet.Devnet;
import net.rhizome.node.devnet.DevnetManifest;
import net.rhizome.node.devnet.DevnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swarm demonstration with four node processes in a devnet: node 1 seeds a synthetic
 * stories110M-shaped GGUF in F16 (about 220 MB), nodes 2-4 fetch it by magnet link at the same
 * time; all end with identical files that load and generate identical tokens, and the leechers
 * uploaded to each other.
 */
class SwarmDemoTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NODES = 4;
    private static final long MIN_MODEL_BYTES = 200_000_000L;

    @TempDir
    Path tmp;

    private static String cli(String... args) {
        CliRun r = CliRun.run(args);
        assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isZero();
        return r.out();
    }

    private static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Greedy tokens of the model named by {@code model} (a path, or an id in {@code dataDir}'s store). */
    private static JsonNode generate(String model, Path dataDir) throws Exception {
        String out = cli("run", "--model", model, "--data-dir", dataDir.toString(), "--prompt", "Once upon a time",
                "--temperature", "0", "--max-tokens", "6", "--ctx", "64", "--json");
        return JSON.readTree(out).path("tokens");
    }

    @Test
    void oneSeedThreeLeechersByMagnetAtOnceThenIdenticalGeneration() throws Exception {
        Path model = tmp.resolve("synthetic-stories110m-f16.gguf");
        SyntheticModels.write(ModelShape.STORIES110M, GgmlType.F16, 110, model);
        assertThat(Files.size(model)).isGreaterThan(MIN_MODEL_BYTES);

        Path devnet = tmp.resolve("devnet");
        DevnetSpec spec = DevnetSpec.uniform(devnet, NODES, Set.of(Role.SEEDER), Duration.ofSeconds(10), Duration.ofSeconds(150));
        try {
            Devnet.up(spec, new PrintWriter(Writer.nullWriter()));
            String added = cli("model", "add", model.toString(), "--node", "devnet:1", "--devnet-dir", devnet.toString());
            String magnet = added.lines().filter(l -> l.startsWith("magnet")).findFirst().orElseThrow().split("\\s+")[1];
            String id = added.lines().filter(l -> l.startsWith("model id")).findFirst().orElseThrow().split("\\s+")[2];

            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<CompletableFuture<String>> gets = new ArrayList<>();
                for (int k = 2; k <= NODES; k++) {
                    String node = "devnet:" + k;
                    gets.add(CompletableFuture.supplyAsync(() -> cli("model", "get", magnet, "--node", node,
                            "--devnet-dir", devnet.toString()), pool));
                }
                CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).get(6, TimeUnit.MINUTES);
            }

            String expected = sha256(model);
            Map<Integer, Long> uploaded = new LinkedHashMap<>();
            for (int k = 2; k <= NODES; k++) {
                Path dataDir = spec.nodeDir(k);
                assertThat(sha256(SwarmFeature.store(dataDir).resolve(id))).as("node %d's copy", k).isEqualTo(expected);
                JsonNode list = JSON.readTree(cli("model", "list", "--json", "--node", "devnet:" + k, "--devnet-dir", devnet.toString()));
                uploaded.put(k, list.path("models").get(0).path("uploaded").asLong());
            }
            assertThat(uploaded.values().stream().mapToLong(Long::longValue).sum())
                    .as("bytes the leechers uploaded to each other, per node: %s", uploaded).isPositive();

            JsonNode reference = generate(model.toString(), tmp);
            assertThat(reference).isNotEmpty();
            for (int k = 2; k <= NODES; k++) {
                assertThat(generate(id, spec.nodeDir(k))).as("tokens from node %d's copy", k).isEqualTo(reference);
            }
            System.out.printf("swarm demo: %d bytes to 3 leechers; leechers uploaded %s; every copy generated %s%n",
                    Files.size(model), uploaded, reference);
        } finally {
            if (Files.exists(DevnetManifest.file(devnet))) {
                Devnet.down(devnet, Duration.ofSeconds(10));
            }
        }
    }
}
