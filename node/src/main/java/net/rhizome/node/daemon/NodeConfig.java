package net.rhizome.node.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import net.rhizome.net.transport.HostPort;

/**
 * How a node daemon runs.
 *
 * @param listen the gRPC (node-to-node) address to bind
 * @param advertise the address other nodes are told to use for gRPC (differs from {@code listen}
 *     when binding a wildcard address)
 * @param dhtPort the UDP port of the DHT, bound on the host of {@code listen}
 * @param httpHost the HTTP API's bind address (loopback by default: admin endpoints live there)
 * @param bootstrap DHT endpoints to join through
 * @param peerTimeout a peer that has not answered for this long leaves the peer book
 * @param discoveryInterval how often the node looks for new peers and pings known ones
 */
public record NodeConfig(
        Path dataDir,
        HostPort listen,
        HostPort advertise,
        int dhtPort,
        String httpHost,
        int httpPort,
        List<HostPort> bootstrap,
        Set<Role> roles,
        Duration peerTimeout,
        Duration discoveryInterval) {

    public static final String SOFTWARE_VERSION = "rhizome/0.1.0";
    public static final int DEFAULT_RPC_PORT = 7400;
    public static final int DEFAULT_DHT_PORT = 7401;
    public static final int DEFAULT_HTTP_PORT = 7480;
    public static final String KEY_FILE = "node.key";
    public static final String ADMIN_TOKEN_FILE = AdminToken.FILE_NAME;

    public NodeConfig {
        dataDir = dataDir.toAbsolutePath().normalize();
        bootstrap = List.copyOf(bootstrap);
        roles = Set.copyOf(roles);
        if (dhtPort < 0 || dhtPort > 65535 || httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("ports must be 0..65535");
        }
        if (peerTimeout.isNegative() || peerTimeout.isZero() || discoveryInterval.isNegative() || discoveryInterval.isZero()) {
            throw new IllegalArgumentException("peer timeout and discovery interval must be positive");
        }
    }

    public Path keyFile() {
        return dataDir.resolve(KEY_FILE);
    }

    public Path adminTokenFile() {
        return dataDir.resolve(AdminToken.FILE_NAME);
    }

    public Path runtimeFile() {
        return dataDir.resolve(NodeRuntime.FILE_NAME);
    }
}
