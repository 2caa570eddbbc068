package net.rhizome.node.cli.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.rhizome.node.cli.CliException;
import net.rhizome.swarm.store.ModelStore;

/** Turns {@code --model PATH|ID} into a file: an existing path wins, else a model id in the node's store. */
final class ModelPaths {
    private ModelPaths() {}

    static Path resolve(String model, Path dataDir) {
        Path p = Path.of(model);
        if (Files.isRegularFile(p)) {
            return p;
        }
        if (!model.matches("[0-9a-fA-F]{64}")) {
            throw new CliException("--model " + model + ": no such file, and not a model id (64 hex digits)");
        }
        try {
            return new ModelStore(dataDir.resolve("models")).resolve(model.toLowerCase());
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("--model " + model + ": " + e.getMessage());
        }
    }
}
