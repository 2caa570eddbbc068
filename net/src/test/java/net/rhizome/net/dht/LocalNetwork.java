package net.rhizome.net.dht;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** N real DHT nodes on loopback, each on its own 127.0.0.x address, bootstrapped from the first. */
public final class LocalNetwork implements AutoCloseable {
    public final List<DhtNode> nodes = new ArrayList<>();

    public static LocalNetwork start(int n) throws Exception {
        LocalNetwork net = new LocalNetwork();
        try {
            for (int i = 0; i < n; i++) {
                net.nodes.add(DhtNode.start(config(i)));
            }
            InetSocketAddress seed = net.nodes.get(0).localAddress();
            for (DhtNode node : net.nodes.subList(1, n)) {
                node.bootstrap(List.of(seed)).get(30, TimeUnit.SECONDS);
            }
            // A second self-lookup once everyone is in, as bucket refresh would do over time.
            CompletableFuture.allOf(net.nodes.stream()
                            .map(node -> node.findNode(node.id()))
                            .toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
            return net;
        } catch (Exception e) {
            net.close();
            throw e;
        }
    }

    static DhtConfig config(int index) {
        return DhtConfig.defaults(new InetSocketAddress("127.0.0." + (index + 2), 0))
                .withTimers(Duration.ofSeconds(1), Duration.ofMinutes(15), Duration.ofMinutes(15), Duration.ofMinutes(1));
    }

    @Override
    public void close() {
        nodes.forEach(DhtNode::close);
    }

}
