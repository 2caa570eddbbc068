package net.rhizome.node.daemon;

import java.util.ArrayList;
import java.util.List;

/**
 * The composition root of the node's features: each module adds one line here. Features start in
 * this order and stop in reverse.
 */
public final class NodeAssembly {
    private NodeAssembly() {}

    public static List<NodeFeature> features(NodeConfig config) {
        List<NodeFeature> features = new ArrayList<>();
        // One line per feature, e.g. features.add(new LedgerFeature(config));
        var ledger = new net.rhizome.node.ledger.LedgerFeature(config);
        features.add(ledger);
        var swarm = new net.rhizome.node.swarm.SwarmFeature(config);
        features.add(swarm);
        features.add(new net.rhizome.node.worker.WorkerFeature(config, ledger::ledger));
        features.add(new net.rhizome.node.gateway.GatewayFeature(config, ledger::ledger, swarm::library));
        return features;
    }
}
