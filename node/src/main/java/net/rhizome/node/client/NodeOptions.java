package net.rhizome.node.client;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Picocli mixin for every command that acts on a running node:
 * {@code @Mixin NodeOptions node;} then {@code node.client().get("/api/…")}.
 */
public final class NodeOptions {
    @Option(names = "--node", paramLabel = "URL|devnet:K",
            description = "The node to talk to: its HTTP URL, or devnet:K for node K of the devnet. "
                    + "Default: the node running from --data-dir.")
    String node;

    @Option(names = "--devnet-dir", paramLabel = "DIR", description = "Devnet directory for --node devnet:K. Default: ~/.rhizome/devnet")
    Path devnetDir = NodeLocator.DEFAULT_DEVNET_DIR;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory of the local node. Default: ~/.rhizome/node")
    Path dataDir = NodeLocator.DEFAULT_DATA_DIR;

    public Path dataDir() {
        return dataDir;
    }

    public NodeLocator.Target target() {
        return NodeLocator.resolve(node, devnetDir, dataDir);
    }

    public NodeClient client() {
        return new NodeClient(target());
    }
}
