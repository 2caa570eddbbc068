package net.rhizome.net.transport;

import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import com.google.protobuf.ByteString;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.transport.proto.NodeServiceGrpc;
import net.rhizome.net.transport.proto.PingRequest;

/**
 * Node-to-node RPC: gRPC over TLS 1.3 with mutual authentication by node key.
 *
 * <p>Why this design: gRPC gives us protobuf messages with per-message size limits, deadlines,
 * HTTP/2 flow control, keep-alive and bidirectional streaming, all of which later protocols (token
 * streams, swarm control, ledger calls) need. TLS 1.3 supplies encryption and forward secrecy. Each
 * node presents a certificate for a fresh P-256 TLS key, signed by its Ed25519 node key
 * ({@link NodeCertificates}), and {@link PeerTrustManager} accepts a certificate by identity, not by
 * CA: an outgoing connection to a known peer accepts exactly that {@link PeerId}, so a node presenting
 * any other key fails the handshake. The server requires a client certificate and exposes the
 * caller's authenticated id to services through {@link #callerId()}.
 *
 * <p>TLS runs in BoringSSL where it loads, else in the JDK ({@link #TLS_PROVIDER}). BoringSSL takes
 * no Ed25519 private key from Java, which is why the TLS key is P-256 and certified by the node key
 * rather than being the node key itself.
 *
 * <p>Callers set a deadline on every call ({@code stub.withDeadlineAfter(…)}); there is no default.
 */
public final class NodeTransport {
    /** Version of the built-in node protocol; calls with any other version are refused. */
    public static final int PROTOCOL_VERSION = 1;

    /**
     * BoringSSL (netty-tcnative, bundled with grpc-netty-shaded for the common platforms) where it
     * loads: streaming took ~10% less CPU per byte than with the JDK's SSLEngine inside Netty
     * (docs/benchmarks.md, 2026-12-07). Elsewhere the
     * JDK provider, also when the system property {@code rhizome.tls=jdk} asks for it (a fallback, and
     * the other side of the benchmark's A/B); both speak the same TLS 1.3 with the same certificates.
     */
    static final SslProvider TLS_PROVIDER = !"jdk".equals(System.getProperty("rhizome.tls")) && OpenSsl.isAvailable()
            ? SslProvider.OPENSSL : SslProvider.JDK;

    /** The TLS implementation in use, for logs and benchmark reports. */
    public static String tlsImplementation() {
        return TLS_PROVIDER == SslProvider.OPENSSL ? OpenSsl.versionString() + " (netty-tcnative)" : "JDK SSLEngine";
    }

    private final KeyPair key;
    private final TransportLimits limits;
    private final SslProvider tls;
    private final NodeKeyManager keyManager;

    public NodeTransport(KeyPair key, TransportLimits limits) {
        this(key, limits, TLS_PROVIDER);
    }

    /** With a given TLS implementation: nodes on either must talk to each other (tested both ways). */
    NodeTransport(KeyPair key, TransportLimits limits, SslProvider tls) {
        this.key = key;
        this.limits = limits;
        this.tls = tls;
        this.keyManager = new NodeKeyManager(key);
    }

    public NodeTransport(KeyPair key) {
        this(key, TransportLimits.DEFAULT);
    }

    public PeerId self() {
        return key.peerId();
    }

    public TransportLimits limits() {
        return limits;
    }

    /**
     * The authenticated id of the node calling the current gRPC service method.
     *
     * @throws IllegalStateException outside a call served by a {@link #server} of this class
     */
    public static PeerId callerId() {
        PeerId id = PeerGuard.CALLER.get();
        if (id == null) {
            throw new IllegalStateException("callerId() is only known inside a node RPC call");
        }
        return id;
    }

    /** Starts serving {@code services} on {@code bind} (port 0: any free port). */
    public TransportServer server(InetSocketAddress bind, List<BindableService> services, Misbehaviour misbehaviour)
            throws IOException {
        SslContext ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(keyManager), tls)
                .protocols("TLSv1.3")
                .trustManager(PeerTrustManager.anyNode())
                .clientAuth(ClientAuth.REQUIRE)
                .build();
        PeerGuard guard = new PeerGuard(limits, misbehaviour);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        ServerEventLoops loops = ServerEventLoops.create();
        NettyServerBuilder builder = loops.applyTo(NettyServerBuilder.forAddress(bind))
                .sslContext(ssl)
                .executor(executor)
                .maxInboundMessageSize(limits.maxMessageBytes())
                .maxInboundMetadataSize(limits.maxMetadataBytes())
                .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
                .handshakeTimeout(limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTime(limits.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(limits.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(Math.min(limits.keepAliveTime().toMillis(), 10_000), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxRstFramesPerWindow(200, 10);
        for (BindableService service : services) {
            builder.addService(ServerInterceptors.intercept(service, guard));
        }
        Server server = builder.build();
        try {
            server.start();
        } catch (IOException e) {
            executor.shutdown();
            loops.shutdown();
            throw new IOException("cannot listen on " + HostPort.of(bind) + ": " + e.getMessage(), e);
        }
        return new TransportServer(server, executor, loops);
    }

    /** A channel to the node {@code expected} at {@code address}; any other key fails the handshake. */
    public ManagedChannel connect(PeerId expected, HostPort address) {
        return channel(address, PeerTrustManager.expecting(expected));
    }

    /**
     * Connects to whatever node listens at {@code address}, proving the connection with a ping, and
     * returns the channel together with the peer id its certificate authenticated. The channel stays
     * pinned to that id.
     */
    public Discovered discover(HostPort address, Duration timeout) throws IOException {
        PeerTrustManager trust = PeerTrustManager.discovering();
        ManagedChannel channel = channel(address, trust);
        try {
            byte[] nonce = new byte[16];
            new SecureRandom().nextBytes(nonce);
            NodeServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .ping(PingRequest.newBuilder()
                            .setProtocolVersion(PROTOCOL_VERSION)
                            .setNonce(ByteString.copyFrom(nonce))
                            .build());
            PeerId peer = trust.authenticated()
                    .orElseThrow(() -> new IOException("node at " + address + " answered without authenticating"));
            return new Discovered(peer, address, channel);
        } catch (StatusRuntimeException | IOException e) {
            channel.shutdownNow();
            throw new IOException("cannot reach a node at " + address + ": " + e.getMessage(), e);
        }
    }

    private ManagedChannel channel(HostPort address, PeerTrustManager trust) {
        SslContext ssl;
        try {
            ssl = GrpcSslContexts.configure(SslContextBuilder.forClient(), tls)
                    .protocols("TLSv1.3")
                    .keyManager(keyManager)
                    .trustManager(trust)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot configure TLS: " + e.getMessage(), e);
        }
        return NettyChannelBuilder.forAddress(address.host(), address.port())
                .intercept(new StreamBuffer(limits.streamBufferBytes()))
                .sslContext(ssl)
                .maxInboundMessageSize(limits.maxMessageBytes())
                .maxInboundMetadataSize(limits.maxMetadataBytes())
                .keepAliveTime(limits.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(limits.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveWithoutCalls(true)
                .build();
    }

    /** Gives every outgoing call the transport's on-ready threshold ({@link TransportLimits#streamBufferBytes()}). */
    private record StreamBuffer(int bytes) implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return next.newCall(method, options.withOnReadyThreshold(bytes));
        }
    }

    /** A channel to a node whose id was learned from its certificate. */
    public record Discovered(PeerId peer, HostPort address, ManagedChannel channel) {}

    /** A running node RPC server. */
    public static final class TransportServer implements AutoCloseable {
        private final Server server;
        private final ExecutorService executor;
        private final ServerEventLoops loops;

        TransportServer(Server server, ExecutorService executor, ServerEventLoops loops) {
            this.server = server;
            this.executor = executor;
            this.loops = loops;
        }

        public int port() {
            return server.getPort();
        }

        /** Stops accepting calls, gives running calls two seconds, then cancels the rest. */
        @Override
        public void close() {
            server.shutdown();
            try {
                if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                    server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                server.shutdownNow();
                Thread.currentThread().interrupt();
            } finally {
                executor.shutdownNow();
                loops.shutdown();
            }
        }
    }
}
