package net.rhizome.node.daemon;

import io.grpc.BindableService;
import io.javalin.Javalin;
import java.util.List;

/**
 * A part of the node that plugs into the daemon: ledger, swarm, inference, market, …
 * The daemon calls, in order: {@link #start} (before any port is open), {@link #rpcServices} and
 * {@link #routes} (served once the node's gRPC and HTTP servers start), then {@link #stop} on
 * shutdown, in reverse order of start. Features are listed in {@link NodeAssembly}.
 */
public interface NodeFeature {
    /** A short name for logs, e.g. "ledger". */
    String name();

    /** Opens the feature's resources; a failure here stops the node start with the feature's message. */
    default void start(NodeContext ctx) throws Exception {}

    /** gRPC services for other nodes; callers are authenticated ({@code NodeTransport.callerId()}). */
    default List<BindableService> rpcServices() {
        return List.of();
    }

    /** Model ids this feature serves, published in the node record (e.g. by the worker role). */
    default List<String> servedModels() {
        return List.of();
    }

    /** HTTP routes; wrap admin-only handlers with {@link NodeContext#adminOnly}. */
    default void routes(Javalin app) {}

    /** Releases the feature's resources; must not throw. */
    default void stop() {}
}
