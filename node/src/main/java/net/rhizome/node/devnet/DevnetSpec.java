package net.rhizome.node.devnet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import net.rhizome.node.daemon.Role;

/**
 * What {@code devnet up} starts.
 *
 * @param roles the roles of node i+1 at index i (one entry per node)
 * @param extraArgs further {@code node start} arguments of node i+1 at index i (e.g. models to serve)
 * @param peerTimeout the nodes' peer timeout (short on a devnet so a killed node leaves quickly)
 * @param startTimeout how long {@code up} waits for every node to see every other
 */
public record DevnetSpec(Path dir, List<Set<Role>> roles, List<List<String>> extraArgs, Duration peerTimeout,
        Duration discoveryInterval, Duration startTimeout) {
    public static final int MAX_NODES = 64;

    public DevnetSpec {
        roles = List.copyOf(roles);
        extraArgs = extraArgs.stream().map(List::copyOf).toList();
        if (roles.isEmpty() || roles.size() > MAX_NODES) {
            throw new IllegalArgumentException("a devnet has 1.." + MAX_NODES + " nodes, got " + roles.size());
        }
        if (extraArgs.size() != roles.size()) {
            throw new IllegalArgumentException("extra arguments must be given for each of the " + roles.size() + " nodes");
        }
    }

    /** {@code n} nodes with the same roles and no extra arguments. */
    public static DevnetSpec uniform(Path dir, int n, Set<Role> roles, Duration peerTimeout, Duration startTimeout) {
        if (n < 1 || n > MAX_NODES) {
            throw new IllegalArgumentException("a devnet has 1.." + MAX_NODES + " nodes, got " + n);
        }
        return new DevnetSpec(dir, java.util.Collections.nCopies(n, roles), java.util.Collections.nCopies(n, List.of()),
                peerTimeout, Duration.ofSeconds(1), startTimeout);
    }

    public int size() {
        return roles.size();
    }

    public Path nodeDir(int index) {
        return dir.resolve("node-" + index);
    }
}
