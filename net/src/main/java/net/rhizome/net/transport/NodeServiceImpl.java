package net.rhizome.net.transport;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import net.rhizome.net.transport.proto.Chunk;
import net.rhizome.net.transport.proto.DownloadRequest;
import net.rhizome.net.transport.proto.InfoRequest;
import net.rhizome.net.transport.proto.NodeInfo;
import net.rhizome.net.transport.proto.NodeServiceGrpc;
import net.rhizome.net.transport.proto.PingReply;
import net.rhizome.net.transport.proto.PingRequest;

/**
 * The built-in node service: ping (liveness and protocol version), node info, and two flow-controlled
 * streams (echo, download) for tests and benchmarks. Every request field is range-checked; a bad
 * request ends that call with INVALID_ARGUMENT, which {@link PeerGuard} reports as misbehaviour.
 */
public final class NodeServiceImpl extends NodeServiceGrpc.NodeServiceImplBase {
    public static final int MAX_NONCE_BYTES = 64;
    public static final long MAX_DOWNLOAD_BYTES = 1L << 30;
    public static final int MAX_CHUNK_BYTES = 1 << 20;

    private final Supplier<NodeInfo> info;

    public NodeServiceImpl(Supplier<NodeInfo> info) {
        this.info = info;
    }

    @Override
    public void ping(PingRequest request, StreamObserver<PingReply> response) {
        if (!supported(request.getProtocolVersion(), response)) {
            return;
        }
        if (request.getNonce().size() > MAX_NONCE_BYTES) {
            response.onError(Status.INVALID_ARGUMENT
                    .withDescription("nonce is " + request.getNonce().size() + " bytes, limit " + MAX_NONCE_BYTES)
                    .asRuntimeException());
            return;
        }
        response.onNext(PingReply.newBuilder()
                .setProtocolVersion(NodeTransport.PROTOCOL_VERSION)
                .setNonce(request.getNonce())
                .setCallerPeerId(NodeTransport.callerId().hex())
                .build());
        response.onCompleted();
    }

    @Override
    public void getInfo(InfoRequest request, StreamObserver<NodeInfo> response) {
        if (!supported(request.getProtocolVersion(), response)) {
            return;
        }
        response.onNext(info.get());
        response.onCompleted();
    }

    @Override
    public StreamObserver<Chunk> echo(StreamObserver<Chunk> response) {
        var out = (ServerCallStreamObserver<Chunk>) response;
        out.disableAutoRequest();
        // Read the next chunk only once the previous echo could be sent: a client that does not
        // read cannot make the server buffer without bound.
        AtomicBoolean waitingForReady = new AtomicBoolean();
        out.setOnReadyHandler(() -> {
            if (out.isReady() && waitingForReady.compareAndSet(true, false)) {
                out.request(1);
            }
        });
        out.request(1);
        return new StreamObserver<>() {
            @Override
            public void onNext(Chunk chunk) {
                out.onNext(chunk);
                if (out.isReady()) {
                    out.request(1);
                } else {
                    waitingForReady.set(true);
                    if (out.isReady() && waitingForReady.compareAndSet(true, false)) {
                        out.request(1);
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                // Client cancelled; nothing to clean up.
            }

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        };
    }

    @Override
    public void download(DownloadRequest request, StreamObserver<Chunk> response) {
        long total = request.getTotalBytes();
        int chunkSize = request.getChunkSize();
        if (total < 0 || total > MAX_DOWNLOAD_BYTES || chunkSize < 1 || chunkSize > MAX_CHUNK_BYTES) {
            response.onError(Status.INVALID_ARGUMENT
                    .withDescription("download wants 0.." + MAX_DOWNLOAD_BYTES + " bytes in chunks of 1.."
                            + MAX_CHUNK_BYTES + ", got " + total + " in " + chunkSize)
                    .asRuntimeException());
            return;
        }
        var out = (ServerCallStreamObserver<Chunk>) response;
        Chunk full = Chunk.newBuilder().setData(ByteString.copyFrom(new byte[chunkSize])).build();
        long[] sent = {0};
        AtomicBoolean done = new AtomicBoolean();
        Runnable pump = () -> {
            while (out.isReady() && !done.get()) {
                long left = total - sent[0];
                if (left <= 0) {
                    if (done.compareAndSet(false, true)) {
                        out.onCompleted();
                    }
                    return;
                }
                Chunk next = left >= chunkSize ? full
                        : Chunk.newBuilder().setData(full.getData().substring(0, (int) left)).build();
                out.onNext(next);
                sent[0] += next.getData().size();
            }
        };
        out.setOnCancelHandler(() -> done.set(true));
        out.setOnReadyHandler(pump);
    }

    private static boolean supported(int version, StreamObserver<?> response) {
        if (version == NodeTransport.PROTOCOL_VERSION) {
            return true;
        }
        response.onError(Status.FAILED_PRECONDITION
                .withDescription("unsupported protocol version " + version + "; this node speaks " + NodeTransport.PROTOCOL_VERSION)
                .asRuntimeException());
        return false;
    }
}
