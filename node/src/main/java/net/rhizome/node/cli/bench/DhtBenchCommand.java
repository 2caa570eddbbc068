package net.rhizome.node.cli.bench;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.rhizome.net.dht.DhtConfig;
import net.rhizome.net.dht.DhtNode;
import net.rhizome.net.dht.NodeId;
import net.rhizome.node.cli.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rhizome bench dht}: an in-process network of real DHT nodes on loopback UDP (each on its
 * own 127.0.0.x address), lookup latency p50/p99 and sequential round trips per lookup, beside
 * the log2(N) hops of a naive walk and the latency of one KRPC round trip measured in the same run.
 */
@Command(name = "dht", mixinStandardHelpOptions = true,
        description = "DHT lookups in an in-process loopback network: latency p50/p99 and round trips per lookup.")
public final class DhtBenchCommand implements Callable<Integer> {
    private static final double ROUND_TRIP_GOAL = 3.0;

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "50", description = "DHT nodes in the network, 2..200 (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--lookups", defaultValue = "500", description = "timed lookups (default ${DEFAULT-VALUE})")
    int lookups;

    @Option(names = "--seed", defaultValue = "1", description = "seed for the lookup origins and targets (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "print the figures as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (nodes < 2 || nodes > 200 || lookups < 1) {
            throw new CliException("--nodes must be 2..200 and --lookups positive");
        }
        List<DhtNode> network = new ArrayList<>();
        try {
            startNetwork(network);
            Random random = new Random(seed);
            measure(network, Math.min(lookups, 100), random); // JIT warm-up, not reported
            Result result = measure(network, lookups, random);
            long[] reference = oneRoundTrip(lookups);
            report(result, reference);
            return result.meanRounds() <= ROUND_TRIP_GOAL ? 0 : 3;
        } finally {
            network.forEach(DhtNode::close);
        }
    }

    private void startNetwork(List<DhtNode> network) throws Exception {
        for (int i = 0; i < nodes; i++) {
            network.add(DhtNode.start(config(i)));
        }
        InetSocketAddress seedAddress = network.get(0).localAddress();
        for (DhtNode node : network.subList(1, nodes)) {
            node.bootstrap(List.of(seedAddress)).get(30, TimeUnit.SECONDS);
        }
        // One more self-lookup each once everyone is in, as bucket refresh does over time.
        CompletableFuture.allOf(network.stream().map(n -> n.findNode(n.id())).toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    private static DhtConfig config(int index) {
        // 127.0.0.2, 127.0.0.3, …: one IP per node, as on a real network (rate limits are per IP).
        String ip = "127.0." + ((index + 2) / 250) + "." + ((index + 2) % 250);
        return DhtConfig.defaults(new InetSocketAddress(ip, 0))
                .withTimers(Duration.ofSeconds(1), Duration.ofMinutes(15), Duration.ofMinutes(15), Duration.ofMinutes(5));
    }

    private record Result(long[] latencyNanos, double meanRounds, int maxRounds, double meanQueries, double exact) {}

    private static Result measure(List<DhtNode> network, int count, Random random) throws Exception {
        long[] latency = new long[count];
        long rounds = 0;
        long queries = 0;
        int maxRounds = 0;
        int exact = 0;
        for (int i = 0; i < count; i++) {
            DhtNode from = network.get(random.nextInt(network.size()));
            byte[] t = new byte[NodeId.LENGTH];
            random.nextBytes(t);
            NodeId target = NodeId.of(t);
            long start = System.nanoTime();
            DhtNode.LookupStats stats = from.findNode(target).get(30, TimeUnit.SECONDS);
            latency[i] = System.nanoTime() - start;
            rounds += stats.rounds();
            queries += stats.queries();
            maxRounds = Math.max(maxRounds, stats.rounds());
            NodeId truth = network.stream().map(DhtNode::id).filter(id -> !id.equals(from.id()))
                    .min(target::compareDistance).orElseThrow();
            if (!stats.closest().isEmpty() && stats.closest().getFirst().id().equals(truth)) {
                exact++;
            }
        }
        return new Result(latency, (double) rounds / count, maxRounds, (double) queries / count, (double) exact / count);
    }

    /**
     * Latency of a lookup that is exactly one KRPC round trip: a pair of nodes outside the
     * network, each knowing only the other, so a lookup asks one node and learns nothing new.
     */
    private long[] oneRoundTrip(int count) throws Exception {
        try (DhtNode a = DhtNode.start(config(nodes)); DhtNode b = DhtNode.start(config(nodes + 1))) {
            a.bootstrap(List.of(b.localAddress())).get(10, TimeUnit.SECONDS);
            long[] latency = new long[count];
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                DhtNode.LookupStats stats = a.findNode(NodeId.random()).get(10, TimeUnit.SECONDS);
                latency[i] = System.nanoTime() - start;
                if (stats.queries() != 1) {
                    throw new IllegalStateException("reference lookup sent " + stats.queries() + " queries, expected 1");
                }
            }
            return latency;
        }
    }

    private void report(Result r, long[] reference) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        double naive = Math.log(nodes) / Math.log(2);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("nodes", nodes);
        figures.put("lookups", r.latencyNanos().length);
        figures.put("lookup_p50_ms", millis(percentile(r.latencyNanos(), 50)));
        figures.put("lookup_p99_ms", millis(percentile(r.latencyNanos(), 99)));
        figures.put("one_round_trip_p50_ms", millis(percentile(reference, 50)));
        figures.put("one_round_trip_p99_ms", millis(percentile(reference, 99)));
        figures.put("round_trips_mean", r.meanRounds());
        figures.put("round_trips_max", r.maxRounds());
        figures.put("round_trips_goal", ROUND_TRIP_GOAL);
        figures.put("naive_walk_hops_log2_n", naive);
        figures.put("queries_per_lookup_mean", r.meanQueries());
        figures.put("closest_node_found_fraction", r.exact());
        if (json) {
            out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(figures));
        } else {
            out.printf("DHT lookups, %d nodes on loopback UDP, %d lookups (find_node, k=8, alpha=3)%n", nodes, r.latencyNanos().length);
            out.printf("  lookup latency          p50 %8.3f ms   p99 %8.3f ms%n", figures.get("lookup_p50_ms"), figures.get("lookup_p99_ms"));
            out.printf("    reference, 1 KRPC RTT p50 %8.3f ms   p99 %8.3f ms (same run)%n", figures.get("one_round_trip_p50_ms"), figures.get("one_round_trip_p99_ms"));
            out.printf("  round trips per lookup  mean %.2f (max %d)   goal <= %.1f %s%n", r.meanRounds(), r.maxRounds(), ROUND_TRIP_GOAL,
                    r.meanRounds() <= ROUND_TRIP_GOAL ? "MET" : "MISSED");
            out.printf("    reference, naive walk log2(%d) = %.1f hops%n", nodes, naive);
            out.printf("  queries per lookup      mean %.1f%n", r.meanQueries());
            out.printf("  true closest node found %.1f%% of lookups%n", 100 * r.exact());
        }
        out.flush();
    }

    private static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
