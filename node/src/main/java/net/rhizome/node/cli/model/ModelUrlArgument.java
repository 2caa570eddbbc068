package net.rhizome.node.cli.model;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import net.rhizome.node.cli.CliException;
import net.rhizome.node.model.ModelDownloads;
import net.rhizome.node.model.ModelUrls;

/** {@code --model URL} of run, devnet up and demo: the URL downloaded (once) into a node's download cache. */
public final class ModelUrlArgument {
    private ModelUrlArgument() {}

    /** {@code model} as a local file: a URL is fetched into {@code dataDir/downloads/}, anything else is a path. */
    public static Path localFile(String model, Path dataDir, PrintWriter err) {
        return ModelUrls.isUrl(model) ? download(model, dataDir, err) : Path.of(model);
    }

    public static Path download(String url, Path dataDir, PrintWriter err) {
        try {
            return ModelDownloads.of(dataDir).fetch(ModelDownloads.Request.of(url, null, null), new DownloadProgressBar(err));
        } catch (IOException e) {
            throw new CliException("--model " + url + ": " + e.getMessage());
        }
    }
}
