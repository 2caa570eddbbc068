package net.rhizome.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.javalin.Javalin;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.net.transport.HostPort;
import net.rhizome.net.transport.NodeTransport;
import net.rhizome.node.client.NodeClient;
import net.rhizome.node.client.NodeClientException;
import net.rhizome.node.client.NodeLocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeDaemonTest {
    @TempDir
    Path tmp;

    private static NodeConfig config(Path dataDir, List<HostPort> bootstrap) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return new NodeConfig(dataDir, any, any, 0, "127.0.0.1", 0, bootstrap, Set.of(Role.WORKER, Role.SEEDER),
                Duration.ofSeconds(10), Duration.ofMillis(300));
    }

    /** A feature using every plug-in point: lifecycle, a public and an admin route, and an RPC service. */
    private static final class ProbeFeature implements NodeFeature {
        static final MethodDescriptor<byte[], byte[]> WHO = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("probe.Probe/Who")
                .setRequestMarshaller(new Bytes())
                .setResponseMarshaller(new Bytes())
                .build();
        final List<String> events = new CopyOnWriteArrayList<>();
        NodeContext ctx;

        @Override
        public String name() {
            return "probe";
        }

        @Override
        public void start(NodeContext ctx) {
            this.ctx = ctx;
            events.add("start");
        }

        @Override
        public List<BindableService> rpcServices() {
            return List.of(() -> ServerServiceDefinition.builder("probe.Probe")
                    .addMethod(WHO, ServerCalls.asyncUnaryCall((req, out) -> {
                        out.onNext(NodeTransport.callerId().hex().getBytes(StandardCharsets.US_ASCII));
                        out.onCompleted();
                    }))
                    .build());
        }

        @Override
        public void routes(Javalin app) {
            app.get("/api/probe", c -> c.json(Map.of("peers", ctx.peers().size())));
            app.post("/api/probe/secret", ctx.adminOnly(c -> c.json(Map.of("ok", true))));
        }

        @Override
        public void stop() {
            events.add("stop");
        }
    }

    private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void servesHealthMetricsPeersAndPluggedInFeatures() throws Exception {
        ProbeFeature probe = new ProbeFeature();
        Path dataDir = tmp.resolve("node");
        try (NodeDaemon daemon = NodeDaemon.start(config(dataDir, List.of()), List.of(probe))) {
            assertThat(Files.getPosixFilePermissions(dataDir.resolve(NodeConfig.KEY_FILE))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(dataDir.resolve(NodeConfig.ADMIN_TOKEN_FILE))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            NodeRuntime runtime = NodeRuntime.read(dataDir.resolve(NodeRuntime.FILE_NAME));
            assertThat(runtime.peerId()).isEqualTo(daemon.peerId().hex());
            assertThat(runtime.pid()).isEqualTo(ProcessHandle.current().pid());

            NodeClient local = new NodeClient(NodeLocator.resolve(null, tmp, dataDir));
            assertThat(local.get("/health").path("status").asText()).isEqualTo("ok");
            assertThat(local.get("/api/peers").path("peers").isArray()).isTrue();
            assertThat(local.get("/api/peers").path("dht").path("port").asInt()).isEqualTo(daemon.dhtPort());
            assertThat(local.get("/api/node").path("roles").toString()).isEqualTo("[\"seeder\",\"worker\"]");
            assertThat(local.get("/api/probe").path("peers").asInt()).isZero();
            assertThat(local.post("/api/probe/secret", Map.of()).path("ok").asBoolean()).isTrue();

            var metrics = local.httpClient().send(local.request("/metrics").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("rhizome_peers").contains("jvm_memory_used_bytes");

            var dashboard = local.httpClient().send(local.request("/").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(dashboard.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(dashboard.body()).contains("<title>Rhizome node</title>").contains("\"/api/node\"").contains("\"/api/peers\"");

            NodeClient anonymous = new NodeClient(NodeLocator.resolve(daemon.httpUrl(), tmp, dataDir));
            assertThatThrownBy(() -> anonymous.post("/api/probe/secret", Map.of()))
                    .isInstanceOfSatisfying(NodeClientException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(401);
                        assertThat(e.getMessage()).contains("admin token required");
                    });
            assertThatThrownBy(() -> anonymous.get("/api/nope"))
                    .isInstanceOfSatisfying(NodeClientException.class, e -> assertThat(e.getMessage()).contains("no such endpoint"));

            KeyPair caller = KeyPair.generate();
            ManagedChannel channel = new NodeTransport(caller).connect(daemon.peerId(), daemon.rpcAddress());
            try {
                byte[] who = ClientCalls.blockingUnaryCall(channel, ProbeFeature.WHO,
                        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]);
                assertThat(new String(who, StandardCharsets.US_ASCII)).isEqualTo(caller.peerId().hex());
            } finally {
                channel.shutdownNow();
            }
        }
        assertThat(probe.events).containsExactly("start", "stop");
        assertThat(dataDir.resolve(NodeRuntime.FILE_NAME)).doesNotExist();
    }

    @Test
    void adminStopEndpointStopsTheNode() throws Exception {
        Path dataDir = tmp.resolve("stoppable");
        NodeDaemon daemon = NodeDaemon.start(config(dataDir, List.of()), List.of());
        try {
            JsonNode answer = new NodeClient(NodeLocator.resolve(null, tmp, dataDir)).post("/api/admin/stop", Map.of());
            assertThat(answer.path("stopping").asBoolean()).isTrue();
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    daemon.awaitStop();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(waiter.join(Duration.ofSeconds(20))).isTrue();
        } finally {
            daemon.close();
        }
    }

    @Test
    void twoNodesBootstrappedThroughTheDhtVerifyEachOther() throws Exception {
        try (NodeDaemon a = NodeDaemon.start(config(tmp.resolve("a"), List.of()), List.of());
                NodeDaemon b = NodeDaemon.start(config(tmp.resolve("b"), List.of(new HostPort("127.0.0.1", a.dhtPort()))), List.of())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((a.context().peers().size() < 1 || b.context().peers().size() < 1) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(a.context().peers().get(b.peerId())).hasValueSatisfying(p -> {
                assertThat(p.rpcAddress()).isEqualTo(b.rpcAddress());
                assertThat(p.details().recordVerified()).isTrue();
                assertThat(p.details().roles()).containsExactlyInAnyOrder("worker", "seeder");
            });
            assertThat(b.context().peers().get(a.peerId())).isPresent();
            Optional<net.rhizome.net.record.NodeRecord> record = a.context().records().lookup(b.peerId()).get(20, TimeUnit.SECONDS);
            assertThat(record).hasValueSatisfying(r -> assertThat(r.rpcAddress()).isEqualTo(b.rpcAddress().toString()));
        }
    }

    @Test
    void aSecondStartOnABusyPortFailsWithTheAddress() throws Exception {
        try (NodeDaemon first = NodeDaemon.start(config(tmp.resolve("first"), List.of()), List.of())) {
            HostPort taken = first.rpcAddress();
            NodeConfig clash = new NodeConfig(tmp.resolve("second"), taken, taken, 0, "127.0.0.1", 0, List.of(), Set.of(),
                    Duration.ofSeconds(10), Duration.ofSeconds(1));
            assertThatThrownBy(() -> NodeDaemon.start(clash, List.of()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(taken.toString());
            assertThat(tmp.resolve("second").resolve(NodeRuntime.FILE_NAME)).doesNotExist();
        }
    }
}
