package net.rhizome.node.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import net.rhizome.node.cli.CliException;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rhizome model get MAGNET|ID}: the node fetches the model from the swarm; shows progress until it is complete. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Download a model by magnet link or id into the node's store, with a progress bar (rate, peers, ETA).")
public final class ModelGetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions nodeOptions;

    @Parameters(paramLabel = "MAGNET|ID", description = "magnet:?xt=urn:btmh:1220… link, or the model id (64 hex digits).")
    String what;

    @Option(names = "--peer", paramLabel = "HOST:PORT", description = "A peer to fetch from (repeatable), besides the DHT and PEX.")
    List<String> peers = new ArrayList<>();

    @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "PT2M",
            description = "Give up when nothing arrives for this long (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration stallTimeout;

    @Option(names = "--no-wait", description = "Start the download and return at once.")
    boolean noWait;

    @Override
    public Integer call() throws InterruptedException {
        NodeClient client = nodeOptions.client();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("uri", what.trim());
        body.put("peers", peers);
        JsonNode m = client.post("/api/models/fetch", body);
        String id = m.path("id").asText();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (noWait) {
            out.println(id);
            return 0;
        }
        long lastProgressAt = System.nanoTime();
        double lastProgress = -1;
        while (true) {
            m = client.get("/api/models/" + id);
            String state = m.path("state").asText();
            double progress = m.path("progress").asDouble();
            long size = m.path("size").asLong();
            long rate = m.path("download_rate").asLong();
            if (progress > lastProgress) {
                lastProgress = progress;
                lastProgressAt = System.nanoTime();
            }
            long eta = rate > 0 ? (long) ((1 - progress) * size / rate) : -1;
            err.printf(Locale.ROOT, "\r%s %5.1f%%  %s/s  %d peers  ETA %s  %s   ", Format.bar(progress, 30), progress * 100,
                    Format.bytes(rate), m.path("peers").asInt(), Format.duration(eta), state);
            err.flush();
            if (state.equals("seeding")) {
                err.println();
                out.printf("model %s (%s, %s) is complete%n", id, m.path("name").asText(), Format.bytes(size));
                return 0;
            }
            if (state.equals("failed") || state.equals("stopped")) {
                err.println();
                throw new CliException("download of " + id + " failed: " + m.path("error").asText(state));
            }
            if (System.nanoTime() - lastProgressAt > stallTimeout.toNanos()) {
                err.println();
                throw new CliException("download of " + id + " stalled: no data for " + stallTimeout.toSeconds()
                        + "s (" + m.path("peers").asInt() + " peers; state " + state + "). Give a seeder with --peer HOST:PORT.");
            }
            Thread.sleep(500);
        }
    }
}
