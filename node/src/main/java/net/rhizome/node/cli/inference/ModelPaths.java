package net.rhizome.node.cli.inference;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import net.rhizome.node.cli.CliException;
import net.rhizome.node.cli.model.ModelUrlArgument;
import net.rhizome.node.model.ModelUrls;
import net.rhizome.swarm.store.ModelStore;

/**
 * Turns {@code --model PATH|ID|URL} into a file: a URL is downloaded into the node's download cache
 * (once), an existing path wins, else a model id in the node's store.
 */
final class ModelPaths {
    private ModelPaths() {}

    static Path resolve(String model, Path dataDir, PrintWriter err) {
        if (ModelUrls.isUrl(model)) {
            return ModelUrlArgument.download(model, dataDir, err);
        }
        Path p = Path.of(model);
        if (Files.isRegularFile(p)) {
            return p;
        }
        if (!model.matches("[0-9a-fA-F]{64}")) {
            throw new CliException("--model " + model + ": no such file, not a model id (64 hex digits) and not an http(s) URL");
        }
        try {
            return new ModelStore(dataDir.resolve("models")).resolve(model.toLowerCase());
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("--model " + model + ": " + e.getMessage());
        }
    }
}
