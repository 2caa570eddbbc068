package net.rhizome.net.transport;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.net.transport.proto.Chunk;
import net.rhizome.net.transport.proto.DownloadRequest;
import net.rhizome.net.transport.proto.NodeInfo;
import net.rhizome.net.transport.proto.NodeServiceGrpc;
import net.rhizome.net.transport.proto.PingRequest;

/**
 * Loopback benchmark of the node transport against its reference, a plain JDK TLS 1.3 socket with
 * the same node-key certificates and trust managers, measured in the same run: connection set-up,
 * unary round trip (p50/p99), and streaming throughput over 1 and 16 concurrent streams (the
 * reference uses 16 TLS connections) with the process CPU time per MB streamed.
 */
public final class TransportBenchmark {
    /** One measured figure next to its reference. */
    public record Figure(String name, String unit, double rhizome, double reference, boolean higherIsBetter) {
        /** Rhizome's cost over the reference, in percent (negative: faster than the reference). */
        public double overheadPercent() {
            return higherIsBetter ? (reference / rhizome - 1) * 100 : (rhizome / reference - 1) * 100;
        }
    }

    /**
     * @param connections connection set-ups to time (after {@value #WARM_UP_CONNECTIONS} untimed ones)
     * @param rttCalls timed round trips (after as many warm-up calls)
     * @param streamBytes bytes moved by the single stream and, split evenly, by the 16 streams
     * @param chunkBytes message size while streaming
     */
    public record Settings(int connections, int rttCalls, long streamBytes, int chunkBytes) {
        public Settings {
            if (connections < 1 || rttCalls < 10 || streamBytes < (1 << 20) || chunkBytes < 1024 || chunkBytes > NodeServiceImpl.MAX_CHUNK_BYTES) {
                throw new IllegalArgumentException("benchmark settings out of range");
            }
        }
    }

    /**
     * A streaming measurement: MB/s, and the whole process's CPU time (both ends run here) per MB
     * moved, which stays comparable when other load on the machine slows both sides.
     */
    record Throughput(double mbPerSecond, double cpuMillisPerMb) {
        static Throughput measure(Callable<Long> transfer) throws Exception {
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            long bytes = transfer.call();
            double seconds = (System.nanoTime() - start) / 1e9;
            double mb = bytes / 1e6;
            return new Throughput(mb / seconds, (processCpuNanos() - cpu) / 1e6 / mb);
        }

        private static long processCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }
    }

    private static final int STREAMS = 16;
    private static final int PING_BYTES = 16;
    private static final int WARM_UP_CONNECTIONS = 10;
    private static final long WARM_UP_BYTES = 128L << 20;
    private static final int SETTLED_COMPILE_PERCENT = 5;
    private static final int MAX_WARM_UP_SECONDS = 60;

    private final Settings settings;
    private final KeyPair serverKey = KeyPair.generate();
    private final KeyPair clientKey = KeyPair.generate();
    private final TransportLimits limits = TransportLimits.DEFAULT.withCallRate(1e9, 1_000_000);

    public TransportBenchmark(Settings settings) {
        this.settings = settings;
    }

    public List<Figure> run() throws Exception {
        List<Figure> figures = new ArrayList<>();
        try (var server = new NodeTransport(serverKey, limits).server(new InetSocketAddress("127.0.0.1", 0),
                        List.of(new NodeServiceImpl(NodeInfo::getDefaultInstance)), Misbehaviour.IGNORE);
                PlainTlsServer plain = new PlainTlsServer(serverKey)) {
            HostPort grpc = new HostPort("127.0.0.1", server.port());
            NodeTransport client = new NodeTransport(clientKey, limits);
            figures.add(new Figure("connection set-up (p50)", "ms", grpcConnect(client, grpc), plain.connectMillis(clientKey, settings.connections()), false));
            ManagedChannel channel = client.connect(serverKey.peerId(), grpc);
            try {
                double[] grpcRtt = grpcRtt(channel);
                double[] plainRtt = plain.rttMicros(clientKey, settings.rttCalls());
                figures.add(new Figure("unary round trip p50", "µs", grpcRtt[0], plainRtt[0], false));
                figures.add(new Figure("unary round trip p99", "µs", grpcRtt[1], plainRtt[1], false));
                for (int streams : new int[] {1, STREAMS}) {
                    Throughput rhizome = grpcStream(channel, streams);
                    Throughput reference = plain.stream(clientKey, streams, settings);
                    String label = streams == 1 ? "1 stream" : streams + " streams";
                    figures.add(new Figure("streaming, " + label, "MB/s", rhizome.mbPerSecond(), reference.mbPerSecond(), true));
                    figures.add(new Figure("CPU per MB, " + label, "ms", rhizome.cpuMillisPerMb(), reference.cpuMillisPerMb(), false));
                }
            } finally {
                channel.shutdownNow();
            }
        }
        return figures;
    }

    private double grpcConnect(NodeTransport client, HostPort address) {
        double[] samples = new double[settings.connections()];
        for (int i = -WARM_UP_CONNECTIONS; i < samples.length; i++) {
            long start = System.nanoTime();
            ManagedChannel channel = client.connect(serverKey.peerId(), address);
            ping(channel);
            if (i >= 0) {
                samples[i] = (System.nanoTime() - start) / 1e6;
            }
            channel.shutdownNow();
        }
        return percentile(samples, 50);
    }

    private static void ping(ManagedChannel channel) {
        NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .ping(PingRequest.newBuilder().setProtocolVersion(NodeTransport.PROTOCOL_VERSION)
                        .setNonce(ByteString.copyFrom(new byte[PING_BYTES])).build());
    }

    private double[] grpcRtt(ManagedChannel channel) {
        for (int i = 0; i < settings.rttCalls(); i++) {
            ping(channel);
        }
        double[] samples = new double[settings.rttCalls()];
        for (int i = 0; i < samples.length; i++) {
            long start = System.nanoTime();
            ping(channel);
            samples[i] = (System.nanoTime() - start) / 1e3;
        }
        return new double[] {percentile(samples, 50), percentile(samples, 99)};
    }

    private Throughput grpcStream(ManagedChannel channel, int streams) throws Exception {
        long perStream = settings.streamBytes() / streams;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Callable<Long> transfer = () -> {
                List<Future<Long>> done = new ArrayList<>();
                for (int s = 0; s < streams; s++) {
                    done.add(pool.submit(() -> download(channel, perStream)));
                }
                long total = 0;
                for (Future<Long> f : done) {
                    total += f.get();
                }
                return total;
            };
            warmUp(transfer);
            return Throughput.measure(transfer);
        }
    }

    /**
     * Repeats a transfer untimed until the JIT has settled: at least {@value #WARM_UP_BYTES} bytes, then
     * until one repetition compiles for less than {@value #SETTLED_COMPILE_PERCENT}% of its wall time,
     * at most {@value #MAX_WARM_UP_SECONDS} s. The gRPC path (Netty, HTTP/2, JDK SSLEngine) keeps
     * compiling for gigabytes, far longer than the plain socket; timing it earlier would measure the
     * compiler, which a long-running node pays once. Both sides get the same rule.
     */
    private static void warmUp(Callable<Long> transfer) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean canTellJit = jit != null && jit.isCompilationTimeMonitoringSupported();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_WARM_UP_SECONDS);
        long moved = 0;
        while (System.nanoTime() < deadline) {
            long compiled = canTellJit ? jit.getTotalCompilationTime() : 0;
            long start = System.nanoTime();
            moved += transfer.call();
            double wallMillis = (System.nanoTime() - start) / 1e6;
            boolean settled = !canTellJit || (jit.getTotalCompilationTime() - compiled) < wallMillis * SETTLED_COMPILE_PERCENT / 100;
            if (moved >= WARM_UP_BYTES && settled) {
                return;
            }
        }
    }

    /** Async stub: chunks are counted on the transport's callback thread, as a streaming consumer would. */
    private long download(ManagedChannel channel, long bytes) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        NodeServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES)
                .download(DownloadRequest.newBuilder().setTotalBytes(bytes).setChunkSize(settings.chunkBytes()).build(),
                        new StreamObserver<>() {
                            private long got;

                            @Override
                            public void onNext(Chunk chunk) {
                                got += chunk.getData().size();
                            }

                            @Override
                            public void onError(Throwable t) {
                                done.completeExceptionally(t);
                            }

                            @Override
                            public void onCompleted() {
                                done.complete(got);
                            }
                        });
        return done.get();
    }

    static double percentile(double[] samples, int p) {
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /**
     * The reference: TLS 1.3 sockets from the JDK provider with the same certificates and trust
     * managers. Protocol: the client sends one byte command; 'p' echoes a {@value #PING_BYTES}-byte
     * ping; 's' followed by a length streams that many bytes in chunks.
     */
    private static final class PlainTlsServer implements AutoCloseable {
        private final SSLServerSocket socket;
        private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        private final KeyPair serverPeer;

        PlainTlsServer(KeyPair serverKey) throws IOException, GeneralSecurityException {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(new javax.net.ssl.KeyManager[] {new NodeKeyManager(serverKey)},
                    new javax.net.ssl.TrustManager[] {PeerTrustManager.anyNode()}, null);
            socket = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 64, InetAddress.getLoopbackAddress());
            socket.setNeedClientAuth(true);
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            this.serverPeer = serverKey;
            pool.submit(this::acceptLoop);
        }

        private void acceptLoop() {
            while (!socket.isClosed()) {
                try {
                    SSLSocket s = (SSLSocket) socket.accept();
                    pool.submit(() -> serve(s));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(SSLSocket s) {
            try (s) {
                s.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                byte[] ping = new byte[PING_BYTES];
                while (true) {
                    int cmd = in.read();
                    if (cmd == 'p') {
                        in.readFully(ping);
                        out.write(ping);
                        out.flush();
                    } else if (cmd == 's') {
                        long left = in.readLong();
                        int chunk = in.readInt();
                        byte[] buf = new byte[chunk];
                        while (left > 0) {
                            int n = (int) Math.min(chunk, left);
                            out.write(buf, 0, n);
                            left -= n;
                        }
                        out.flush();
                    } else {
                        return;
                    }
                }
            } catch (IOException peerGone) {
                // connection ended
            }
        }

        private SSLSocket connect(KeyPair client) throws IOException, GeneralSecurityException {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(new javax.net.ssl.KeyManager[] {new NodeKeyManager(client)},
                    new javax.net.ssl.TrustManager[] {PeerTrustManager.expecting(serverPeer.peerId())}, null);
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), socket.getLocalPort());
            s.setEnabledProtocols(new String[] {"TLSv1.3"});
            s.setTcpNoDelay(true);
            s.startHandshake();
            return s;
        }

        double connectMillis(KeyPair client, int n) throws Exception {
            double[] samples = new double[n];
            for (int i = -WARM_UP_CONNECTIONS; i < n; i++) {
                long start = System.nanoTime();
                try (SSLSocket s = connect(client)) {
                    pingOnce(s, new byte[PING_BYTES]);
                    if (i >= 0) {
                        samples[i] = (System.nanoTime() - start) / 1e6;
                    }
                }
            }
            return percentile(samples, 50);
        }

        private static void pingOnce(SSLSocket s, byte[] buf) throws IOException {
            OutputStream out = s.getOutputStream();
            out.write('p');
            out.write(buf);
            out.flush();
            new DataInputStream(s.getInputStream()).readFully(buf);
        }

        double[] rttMicros(KeyPair client, int calls) throws Exception {
            try (SSLSocket s = connect(client)) {
                byte[] buf = new byte[PING_BYTES];
                for (int i = 0; i < calls; i++) {
                    pingOnce(s, buf);
                }
                double[] samples = new double[calls];
                for (int i = 0; i < calls; i++) {
                    long start = System.nanoTime();
                    pingOnce(s, buf);
                    samples[i] = (System.nanoTime() - start) / 1e3;
                }
                return new double[] {percentile(samples, 50), percentile(samples, 99)};
            }
        }

        Throughput stream(KeyPair client, int streams, Settings settings) throws Exception {
            long perStream = settings.streamBytes() / streams;
            List<SSLSocket> sockets = new ArrayList<>();
            try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < streams; i++) {
                    sockets.add(connect(client));
                }
                Callable<Long> transfer = () -> {
                    List<Future<Long>> done = new ArrayList<>();
                    for (SSLSocket s : sockets) {
                        done.add(readers.submit(() -> fetch(s, perStream, settings.chunkBytes())));
                    }
                    long total = 0;
                    for (Future<Long> f : done) {
                        total += f.get();
                    }
                    return total;
                };
                warmUp(transfer);
                return Throughput.measure(transfer);
            } finally {
                for (SSLSocket s : sockets) {
                    s.close();
                }
            }
        }

        private static long fetch(SSLSocket s, long bytes, int chunk) throws IOException {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.write('s');
            out.writeLong(bytes);
            out.writeInt(chunk);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[chunk];
            long got = 0;
            while (got < bytes) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, bytes - got));
                if (n < 0) {
                    throw new IOException("reference server closed early");
                }
                got += n;
            }
            return got;
        }

        @Override
        public void close() throws IOException {
            socket.close();
            pool.shutdownNow();
        }
    }
}
