package net.rhizome.node.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeOptions;
import net.rhizome.node.model.ModelDownloads;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rhizome model pull URL}: downloads a GGUF model over HTTP(S) into the download cache beside
 * the node's store (resuming a partial download), verifies it, then adds it like {@code model add}.
 */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Download a GGUF model from an HTTP(S) URL (e.g. https://huggingface.co/ORG/REPO/resolve/main/FILE.gguf) "
                + "with a progress bar, verify it and add it to the node's store, seeded like `model add`.",
            "An interrupted download resumes where it stopped; a URL pulled before is not fetched again. "
                    + "Set HF_TOKEN for gated Hugging Face models."})
public final class ModelPullCommand implements Callable<Integer> {
    /** Hashing a large model into a torrent takes a while: the node answers only when it is done. */
    private static final Duration ADD_TIMEOUT = Duration.ofMinutes(30);

    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions nodeOptions;

    @Parameters(paramLabel = "URL", description = "http:// or https:// URL of a .gguf file.")
    String url;

    @Option(names = "--sha256", paramLabel = "HEX", description = "The file's SHA-256; the download fails when it differs. "
            + "Without it, the SHA-256 a Hugging Face server announces is checked.")
    String sha256;

    @Option(names = "--name", paramLabel = "NAME", description = "File name in the store. Default: the URL's last path segment.")
    String name;

    @Option(names = "--max-size", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "Refuse files larger than this, e.g. 20G (default: 1T).")
    long maxSize = ModelDownloads.Settings.defaults().maxBytes();

    @Override
    public Integer call() throws IOException {
        ModelDownloads.Request request = ModelDownloads.Request.of(url, sha256, name);
        NodeClient node = new NodeClient(nodeOptions.target(), ADD_TIMEOUT);
        node.get("/api/models"); // fail before downloading gigabytes when no node is running
        ModelDownloads downloads = new ModelDownloads(nodeOptions.dataDir().resolve("downloads"),
                ModelDownloads.Settings.defaults().withMaxBytes(maxSize));
        Path file = downloads.fetch(request, new DownloadProgressBar(spec.commandLine().getErr()));
        JsonNode m = node.post("/api/models", Map.of("path", file.toString()));
        ModelAddCommand.print(m, spec.commandLine().getOut());
        return 0;
    }
}
