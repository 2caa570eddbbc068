package net.rhizome.node.client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import net.rhizome.node.daemon.AdminToken;
import net.rhizome.node.daemon.NodeConfig;
import net.rhizome.node.daemon.NodeRuntime;
import net.rhizome.node.devnet.DevnetManifest;

/**
 * Turns the CLI's way of naming a node into an HTTP base URL and, when the node's data directory is
 * local, its admin token: {@code --node http://host:port}, {@code --node devnet:K} (node K of the
 * devnet in {@code devnetDir}), or else the node running from {@code dataDir}.
 */
public final class NodeLocator {
    public static final Path DEFAULT_DATA_DIR = Path.of(System.getProperty("user.home"), ".rhizome", "node");
    public static final Path DEFAULT_DEVNET_DIR = Path.of(System.getProperty("user.home"), ".rhizome", "devnet");
    private static final int MAX_NODE_TEXT = 2048;

    private NodeLocator() {}

    /**
     * Where a node is, its admin token when we could read it, and the API key a devnet recorded for
     * its gateway ({@code api_key} in devnet.json), if any.
     */
    public record Target(URI baseUrl, Optional<AdminToken> adminToken, Optional<String> apiKey, String description) {}

    public static Target resolve(String node, Path devnetDir, Path dataDir) {
        if (node != null && node.length() > MAX_NODE_TEXT) {
            throw new NodeClientException("--node is longer than " + MAX_NODE_TEXT + " characters");
        }
        if (node == null || node.isBlank()) {
            return fromDataDir(dataDir);
        }
        if (node.startsWith("devnet:")) {
            return fromDevnet(node.substring("devnet:".length()), devnetDir);
        }
        if (node.startsWith("http://") || node.startsWith("https://")) {
            try {
                URI uri = URI.create(node.endsWith("/") ? node.substring(0, node.length() - 1) : node);
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("no host");
                }
                return new Target(uri, Optional.empty(), Optional.empty(), node);
            } catch (IllegalArgumentException e) {
                throw new NodeClientException("--node '" + node + "' is not a valid URL: " + e.getMessage());
            }
        }
        throw new NodeClientException("--node must be a URL (http://host:port) or devnet:K, got '" + node + "'");
    }

    private static Target fromDevnet(String indexText, Path devnetDir) {
        int index;
        try {
            index = Integer.parseInt(indexText);
        } catch (NumberFormatException e) {
            throw new NodeClientException("--node devnet:K needs a node number K, got 'devnet:" + indexText + "'");
        }
        DevnetManifest manifest;
        try {
            manifest = DevnetManifest.read(devnetDir);
        } catch (IOException e) {
            throw new NodeClientException(e.getMessage());
        }
        DevnetManifest.Node n;
        try {
            n = manifest.node(index);
        } catch (IllegalArgumentException e) {
            throw new NodeClientException(e.getMessage());
        }
        if (n.httpUrl() == null) {
            throw new NodeClientException("devnet node " + index + " has not reported its HTTP address yet");
        }
        return new Target(URI.create(n.httpUrl()), token(Path.of(n.dataDir())), Optional.ofNullable(n.apiKey()), "devnet node " + index);
    }

    private static Target fromDataDir(Path dataDir) {
        Path runtime = dataDir.resolve(NodeRuntime.FILE_NAME);
        NodeRuntime info;
        try {
            if (!Files.exists(runtime)) {
                throw new NodeClientException("no node running from " + dataDir + "; start one with ./rhizome node start"
                        + " (or pass --node URL or --node devnet:K)");
            }
            info = NodeRuntime.read(runtime);
        } catch (IOException e) {
            throw new NodeClientException(e.getMessage());
        }
        if (!info.processAlive()) {
            throw new NodeClientException("no node running from " + dataDir + " (pid " + info.pid()
                    + " has exited); start one with ./rhizome node start");
        }
        return new Target(URI.create(info.httpUrl()), token(dataDir), Optional.empty(), "node in " + dataDir);
    }

    private static Optional<AdminToken> token(Path dataDir) {
        Path file = dataDir.resolve(NodeConfig.ADMIN_TOKEN_FILE);
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(AdminToken.load(file));
        } catch (IOException e) {
            throw new NodeClientException(e.getMessage());
        }
    }
}
