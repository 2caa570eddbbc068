package net.rhizome.node.cli.node;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.node.client.NodeLocator;
import net.rhizome.node.daemon.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhizome id}: prints the node's peer id, creating its key on first use. */
@Command(name = "id", mixinStandardHelpOptions = true,
        description = "Print this node's peer id (creates the node key in the data directory if absent).")
public final class IdCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Node data directory. Default: ${DEFAULT-VALUE}")
    Path dataDir = NodeLocator.DEFAULT_DATA_DIR;

    @Override
    public Integer call() throws Exception {
        spec.commandLine().getOut().println(KeyPair.loadOrCreate(dataDir.resolve(NodeConfig.KEY_FILE)).peerId().hex());
        return 0;
    }
}
