package net.rhizome.net.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.transport.proto.Chunk;
import net.rhizome.net.transport.proto.DownloadRequest;
import net.rhizome.net.transport.proto.InfoRequest;
import net.rhizome.net.transport.proto.NodeInfo;
import net.rhizome.net.transport.proto.NodeServiceGrpc;
import net.rhizome.net.transport.proto.PingReply;
import net.rhizome.net.transport.proto.PingRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeTransportTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    private final KeyPair serverKey = KeyPair.generate();
    private final KeyPair clientKey = KeyPair.generate();
    private final List<PeerId> reported = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private NodeTransport.TransportServer server;
    private HostPort address;

    @BeforeEach
    void start() throws IOException {
        server = startServer(TransportLimits.DEFAULT.withMaxMessageBytes(64 * 1024), List.of(nodeService()));
        address = new HostPort("127.0.0.1", server.port());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
        server.close();
    }

    private NodeTransport.TransportServer startServer(TransportLimits limits, List<BindableService> services) throws IOException {
        return new NodeTransport(serverKey, limits).server(LOOPBACK, services, (peer, reason) -> reported.add(peer));
    }

    private NodeServiceImpl nodeService() {
        return new NodeServiceImpl(() -> NodeInfo.newBuilder()
                .setProtocolVersion(NodeTransport.PROTOCOL_VERSION)
                .setPeerId(serverKey.peerId().hex())
                .addRoles("worker")
                .build());
    }

    private ManagedChannel connect(KeyPair self, PeerId expected) {
        ManagedChannel channel = new NodeTransport(self).connect(expected, address);
        closeLater.add(channel::shutdownNow);
        return channel;
    }

    private static NodeServiceGrpc.NodeServiceBlockingStub blocking(ManagedChannel channel) {
        return NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static PingRequest ping() {
        return PingRequest.newBuilder().setProtocolVersion(1).setNonce(ByteString.copyFromUtf8("hello")).build();
    }

    @Test
    void mutuallyAuthenticatedCallSeesTheCallersPeerId() {
        PingReply reply = blocking(connect(clientKey, serverKey.peerId())).ping(ping());

        assertThat(reply.getNonce().toStringUtf8()).isEqualTo("hello");
        assertThat(reply.getCallerPeerId()).isEqualTo(clientKey.peerId().hex());
        NodeInfo info = blocking(connect(clientKey, serverKey.peerId()))
                .getInfo(InfoRequest.newBuilder().setProtocolVersion(1).build());
        assertThat(info.getPeerId()).isEqualTo(serverKey.peerId().hex());
    }

    /** A node where BoringSSL does not load runs the JDK's TLS; it must reach, and be reached by, one that runs BoringSSL. */
    @Test
    void nodesOnDifferentTlsImplementationsAuthenticateEachOther() throws IOException {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL does not load on this platform");
        for (SslProvider serverTls : List.of(SslProvider.JDK, SslProvider.OPENSSL)) {
            SslProvider clientTls = serverTls == SslProvider.JDK ? SslProvider.OPENSSL : SslProvider.JDK;
            NodeTransport.TransportServer other = new NodeTransport(serverKey, TransportLimits.DEFAULT, serverTls)
                    .server(LOOPBACK, List.of(nodeService()), (peer, reason) -> {});
            closeLater.add(other);
            NodeTransport client = new NodeTransport(clientKey, TransportLimits.DEFAULT, clientTls);
            HostPort at = new HostPort("127.0.0.1", other.port());
            ManagedChannel channel = client.connect(serverKey.peerId(), at);
            closeLater.add(channel::shutdownNow);
            assertThat(blocking(channel).ping(ping()).getCallerPeerId()).as("server %s, client %s", serverTls, clientTls)
                    .isEqualTo(clientKey.peerId().hex());
            ManagedChannel wrong = client.connect(KeyPair.generate().peerId(), at);
            closeLater.add(wrong::shutdownNow);
            assertThatThrownBy(() -> blocking(wrong).ping(ping())).as("server %s, client %s", serverTls, clientTls)
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }

    @Test
    void aServerPresentingAnotherKeyThanExpectedIsRefused() {
        PeerId someoneElse = KeyPair.generate().peerId();

        assertThatThrownBy(() -> blocking(connect(clientKey, someoneElse)).ping(ping()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void discoverLearnsTheAuthenticatedPeerId() throws IOException {
        NodeTransport.Discovered found = new NodeTransport(clientKey).discover(address, Duration.ofSeconds(10));
        closeLater.add(found.channel()::shutdownNow);

        assertThat(found.peer()).isEqualTo(serverKey.peerId());
        assertThat(blocking(found.channel()).ping(ping()).getCallerPeerId()).isEqualTo(clientKey.peerId().hex());
    }

    @Test
    void discoverOfANonNodeFailsWithTheAddress() throws IOException {
        try (var plain = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            HostPort notANode = new HostPort("127.0.0.1", plain.getLocalPort());
            Thread.ofVirtual().start(() -> {
                try (var s = plain.accept()) {
                    s.getOutputStream().write("HTTP/1.0 400 nope\r\n\r\n".getBytes());
                } catch (IOException ignored) {
                    // test peer
                }
            });
            assertThatThrownBy(() -> new NodeTransport(clientKey).discover(notANode, Duration.ofSeconds(5)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(notANode.toString());
        }
    }

    @Test
    void unknownProtocolVersionIsRefusedAndReported() {
        var stub = blocking(connect(clientKey, serverKey.peerId()));

        assertThatThrownBy(() -> stub.ping(ping().toBuilder().setProtocolVersion(7).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).contains("version 7");
                });
        assertThat(reported).containsExactly(clientKey.peerId());
        assertThat(stub.ping(ping()).getNonce().toStringUtf8()).isEqualTo("hello");
    }

    @Test
    void oversizedMessageEndsThatCallAndTheServerKeepsServing() {
        var stub = blocking(connect(clientKey, serverKey.peerId()));
        PingRequest huge = ping().toBuilder().setNonce(ByteString.copyFrom(new byte[100 * 1024])).build();

        assertThatThrownBy(() -> stub.ping(huge))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.RESOURCE_EXHAUSTED, Status.Code.CANCELLED));
        assertThat(blocking(connect(KeyPair.generate(), serverKey.peerId())).ping(ping()).getNonce().toStringUtf8())
                .isEqualTo("hello");
    }

    @Test
    void aStreamStaysReadyWhileSeveralMessagesAreQueued() throws Exception {
        int chunk = 64 << 10;
        int queued = TransportLimits.DEFAULT.streamBufferBytes() / chunk - 1;
        List<Boolean> readyAfterEach = new CopyOnWriteArrayList<>();
        ServerServiceDefinition burst = ServerServiceDefinition.builder(NodeServiceGrpc.getServiceDescriptor())
                .addMethod(NodeServiceGrpc.getPingMethod(), io.grpc.stub.ServerCalls.asyncUnaryCall((PingRequest r, StreamObserver<PingReply> o) -> o.onCompleted()))
                .addMethod(NodeServiceGrpc.getGetInfoMethod(), io.grpc.stub.ServerCalls.asyncUnaryCall((InfoRequest r, StreamObserver<NodeInfo> o) -> o.onCompleted()))
                .addMethod(NodeServiceGrpc.getEchoMethod(), io.grpc.stub.ServerCalls.asyncBidiStreamingCall((StreamObserver<Chunk> o) -> o))
                .addMethod(NodeServiceGrpc.getDownloadMethod(), io.grpc.stub.ServerCalls.asyncServerStreamingCall(
                        (DownloadRequest r, StreamObserver<Chunk> o) -> {
                            var out = (io.grpc.stub.ServerCallStreamObserver<Chunk>) o;
                            Chunk data = Chunk.newBuilder().setData(ByteString.copyFrom(new byte[chunk])).build();
                            for (int i = 0; i < queued; i++) {
                                out.onNext(data);
                                readyAfterEach.add(out.isReady());
                            }
                            out.onCompleted();
                        }))
                .build();
        try (var burstServer = startServer(TransportLimits.DEFAULT, List.of(() -> burst))) {
            ManagedChannel channel = new NodeTransport(clientKey).connect(serverKey.peerId(), new HostPort("127.0.0.1", burstServer.port()));
            closeLater.add(channel::shutdownNow);
            Iterator<Chunk> chunks = blocking(channel).download(DownloadRequest.getDefaultInstance());
            chunks.forEachRemaining(c -> {});
        }
        // gRPC's default threshold (32 KiB) would report not-ready after the first 64 KiB message.
        assertThat(readyAfterEach).hasSize(queued).containsOnly(true);
    }

    @Test
    void deadlineEndsASlowCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ServerServiceDefinition slow = ServerServiceDefinition.builder(NodeServiceGrpc.getServiceDescriptor())
                .addMethod(NodeServiceGrpc.getPingMethod(), io.grpc.stub.ServerCalls.asyncUnaryCall(
                        (PingRequest req, StreamObserver<PingReply> out) -> {
                            try {
                                release.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            out.onNext(PingReply.getDefaultInstance());
                            out.onCompleted();
                        }))
                .addMethod(NodeServiceGrpc.getGetInfoMethod(), io.grpc.stub.ServerCalls.asyncUnaryCall((InfoRequest r, StreamObserver<NodeInfo> o) -> o.onCompleted()))
                .addMethod(NodeServiceGrpc.getEchoMethod(), io.grpc.stub.ServerCalls.asyncBidiStreamingCall((StreamObserver<Chunk> o) -> o))
                .addMethod(NodeServiceGrpc.getDownloadMethod(), io.grpc.stub.ServerCalls.asyncServerStreamingCall((DownloadRequest r, StreamObserver<Chunk> o) -> o.onCompleted()))
                .build();
        try (var slowServer = startServer(TransportLimits.DEFAULT, List.of(() -> slow))) {
            ManagedChannel channel = new NodeTransport(clientKey).connect(serverKey.peerId(), new HostPort("127.0.0.1", slowServer.port()));
            closeLater.add(channel::shutdownNow);
            assertThatThrownBy(() -> NodeServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(300, TimeUnit.MILLISECONDS).ping(ping()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        } finally {
            release.countDown();
        }
    }

    @Test
    void bidirectionalEchoReturnsEveryChunkInOrder() throws Exception {
        var stub = NodeServiceGrpc.newStub(connect(clientKey, serverKey.peerId()));
        List<String> received = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<Chunk> requests = stub.echo(new StreamObserver<>() {
            @Override
            public void onNext(Chunk value) {
                received.add(value.getData().toStringUtf8());
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add("chunk-" + i);
            requests.onNext(Chunk.newBuilder().setData(ByteString.copyFromUtf8("chunk-" + i)).build());
        }
        requests.onCompleted();

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(received).containsExactlyElementsOf(sent);
    }

    @Test
    void downloadStreamsExactlyTheRequestedBytes() {
        var stub = blocking(connect(clientKey, serverKey.peerId()));
        long total = 0;
        Iterator<Chunk> chunks = stub.download(DownloadRequest.newBuilder().setTotalBytes(1_000_001).setChunkSize(32 * 1024).build());
        while (chunks.hasNext()) {
            total += chunks.next().getData().size();
        }
        assertThat(total).isEqualTo(1_000_001);
    }

    @Test
    void outOfRangeDownloadIsRefused() {
        var stub = blocking(connect(clientKey, serverKey.peerId()));
        assertThatThrownBy(() -> stub.download(DownloadRequest.newBuilder().setTotalBytes(10).setChunkSize(0).build()).hasNext())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void aBannedPeerIsRefusedWhileOthersAreServed() throws IOException {
        Misbehaviour banClient = new Misbehaviour() {
            @Override
            public void report(PeerId peer, String reason) {}

            @Override
            public boolean refuses(PeerId peer) {
                return peer.equals(clientKey.peerId());
            }
        };
        try (var guarded = new NodeTransport(serverKey).server(LOOPBACK, List.of(nodeService()), banClient)) {
            HostPort at = new HostPort("127.0.0.1", guarded.port());
            ManagedChannel banned = new NodeTransport(clientKey).connect(serverKey.peerId(), at);
            ManagedChannel other = new NodeTransport(KeyPair.generate()).connect(serverKey.peerId(), at);
            closeLater.add(banned::shutdownNow);
            closeLater.add(other::shutdownNow);
            assertThatThrownBy(() -> blocking(banned).ping(ping()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
            assertThat(blocking(other).ping(ping()).getNonce().toStringUtf8()).isEqualTo("hello");
        }
    }

    @Test
    void aFloodingPeerIsRateLimitedWhileOthersAreServed() throws IOException {
        try (var strict = startServer(TransportLimits.DEFAULT.withCallRate(1, 5), List.of(nodeService()))) {
            HostPort strictAddress = new HostPort("127.0.0.1", strict.port());
            ManagedChannel flooder = new NodeTransport(clientKey).connect(serverKey.peerId(), strictAddress);
            closeLater.add(flooder::shutdownNow);
            int refused = 0;
            for (int i = 0; i < 20; i++) {
                try {
                    blocking(flooder).ping(ping());
                } catch (StatusRuntimeException e) {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    refused++;
                }
            }
            assertThat(refused).isGreaterThanOrEqualTo(10);
            assertThat(reported).contains(clientKey.peerId());
            ManagedChannel other = new NodeTransport(KeyPair.generate()).connect(serverKey.peerId(), strictAddress);
            closeLater.add(other::shutdownNow);
            assertThat(blocking(other).ping(ping()).getNonce().toStringUtf8()).isEqualTo("hello");
        }
    }
}
