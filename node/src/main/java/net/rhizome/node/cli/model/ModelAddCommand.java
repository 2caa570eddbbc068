package net.rhizome.node.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import net.rhizome.node.cli.CliException;
import net.rhizome.node.client.NodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rhizome model add PATH}: the node hashes the file into a v2 torrent, stores and seeds it. */
@Command(name = "add", mixinStandardHelpOptions = true,
        description = "Create a BitTorrent v2 torrent for a model file or directory, add it to the node's store and seed it.")
public final class ModelAddCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions nodeOptions;

    @Parameters(paramLabel = "PATH", description = "Model file (e.g. .gguf) or directory.")
    Path path;

    @Override
    public Integer call() {
        Path abs = path.toAbsolutePath().normalize();
        if (!Files.exists(abs)) {
            throw new CliException("no such file or directory: " + abs);
        }
        JsonNode m = nodeOptions.client().post("/api/models", Map.of("path", abs.toString()));
        print(m, spec.commandLine().getOut());
        return 0;
    }

    static void print(JsonNode m, PrintWriter out) {
        out.printf("model id  %s%nname      %s%nsize      %s%nmagnet    %s%n", m.path("id").asText(), m.path("name").asText(),
                Format.bytes(m.path("size").asLong()), m.path("magnet").asText());
    }
}
