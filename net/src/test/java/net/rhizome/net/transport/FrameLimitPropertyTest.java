package net.rhizome.net.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.IntRange;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.net.transport.proto.Chunk;
import net.rhizome.net.transport.proto.NodeInfo;
import net.rhizome.net.transport.proto.NodeServiceGrpc;
import net.rhizome.net.transport.proto.PingRequest;

/**
 * The message size limit holds for any size, in both directions: a message within the limit
 * passes unchanged, a larger one ends only its own call, and the connection keeps serving.
 */
class FrameLimitPropertyTest {
    static final int LIMIT = 16 * 1024;
    static final KeyPair SERVER = KeyPair.deterministic("frame-limit-server");
    static NodeTransport.TransportServer server;
    static ManagedChannel channel;

    @BeforeContainer
    static void start() throws IOException {
        TransportLimits limits = TransportLimits.DEFAULT.withMaxMessageBytes(LIMIT).withCallRate(10_000, 10_000);
        server = new NodeTransport(SERVER, limits).server(new InetSocketAddress("127.0.0.1", 0),
                List.of(new NodeServiceImpl(NodeInfo::getDefaultInstance)), Misbehaviour.IGNORE);
        channel = new NodeTransport(KeyPair.generate(), limits).connect(SERVER.peerId(), new HostPort("127.0.0.1", server.port()));
    }

    @AfterContainer
    static void stop() {
        channel.shutdownNow();
        server.close();
    }

    /** Size of a Chunk message carrying {@code n} data bytes: tag, varint length, data. */
    private static int encodedSize(int n) {
        return Chunk.newBuilder().setData(ByteString.copyFrom(new byte[n])).build().getSerializedSize();
    }

    @Property(tries = 40)
    void echoWithinTheLimitPassesAndAboveItFailsAlone(@ForAll @IntRange(min = 0, max = 2 * LIMIT) int size, @ForAll byte fill)
            throws Exception {
        byte[] data = new byte[size];
        java.util.Arrays.fill(data, fill);
        CompletableFuture<Chunk> echoed = new CompletableFuture<>();
        StreamObserver<Chunk> requests = NodeServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .echo(new StreamObserver<>() {
                    @Override
                    public void onNext(Chunk value) {
                        echoed.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        echoed.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        echoed.completeExceptionally(new AssertionError("completed without an echo"));
                    }
                });
        requests.onNext(Chunk.newBuilder().setData(ByteString.copyFrom(data)).build());
        requests.onCompleted();
        try {
            Chunk back = echoed.get(15, TimeUnit.SECONDS);
            assertThat(encodedSize(size)).isLessThanOrEqualTo(LIMIT);
            assertThat(back.getData().toByteArray()).isEqualTo(data);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(encodedSize(size)).isGreaterThan(LIMIT);
            assertThat(e.getCause()).isInstanceOfSatisfying(StatusRuntimeException.class,
                    s -> assertThat(s.getStatus().getCode()).isIn(Status.Code.RESOURCE_EXHAUSTED, Status.Code.CANCELLED));
        }
        // The same connection still serves the next call.
        assertThat(NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .ping(PingRequest.newBuilder().setProtocolVersion(1).build()).getProtocolVersion()).isEqualTo(1);
    }
}
