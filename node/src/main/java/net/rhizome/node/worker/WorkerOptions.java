package net.rhizome.node.worker;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Picocli mixin of {@code node start}: what the worker role serves and at what price. */
public final class WorkerOptions {
    @Option(names = "--serve", paramLabel = "MODEL_ID", split = ",",
            description = "Models (ids from the node's model store) this worker serves; needs the worker role.")
    List<String> serve;

    @Option(names = "--price", paramLabel = "CREDITS_PER_1K", description = "Price in credits per 1000 tokens (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    BigDecimal price;

    @Option(names = "--capacity", paramLabel = "N", description = "Jobs the worker runs at once (default: ${DEFAULT-VALUE}).",
            defaultValue = "4")
    int capacity;

    /** Stores the settings for the worker feature when {@code --serve} was given. */
    public void save(Path dataDir) throws IOException {
        if (serve != null && !serve.isEmpty()) {
            new WorkerSettings(serve, WorkerSettings.perToken(price), capacity).write(dataDir);
        }
    }
}
