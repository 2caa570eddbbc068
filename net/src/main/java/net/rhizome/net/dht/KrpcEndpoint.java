package net.rhizome.net.dht;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.rhizome.core.bencode.BValue.BDict;
import net.rhizome.core.bencode.BencodeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KRPC layer over one UDP socket: a receive loop on a virtual thread, per-IP rate limiting,
 * size limits, transaction matching (a response must come from the address queried) and query
 * timeouts. Incoming queries go to a {@link Listener}; replies to our queries complete futures.
 */
final class KrpcEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KrpcEndpoint.class);

    interface Listener {
        void onQuery(KrpcMessage.Query query, InetSocketAddress from);

        void onResponse(KrpcMessage.Response response, InetSocketAddress from);
    }

    /** The peer answered with a KRPC error. */
    static final class ErrorReply extends DhtException {
        final long code;

        ErrorReply(long code, String message, InetSocketAddress from) {
            super("error " + code + " from " + from + ": " + message);
            this.code = code;
        }
    }

    private record Pending(InetSocketAddress to, CompletableFuture<KrpcMessage.Response> future, ScheduledFuture<?> timeout) {}

    private final DatagramChannel channel;
    private final RateLimiter rateLimiter;
    private final DhtMetrics metrics;
    private final Duration timeout;
    private final ScheduledExecutorService timer;
    private final boolean readOnly;
    private final Listener listener;
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextTransaction = new AtomicInteger(new java.security.SecureRandom().nextInt());
    private volatile boolean closed;
    private Thread receiver;

    KrpcEndpoint(DatagramChannel channel, RateLimiter rateLimiter, DhtMetrics metrics, Duration timeout,
            ScheduledExecutorService timer, boolean readOnly, Listener listener) {
        this.channel = channel;
        this.rateLimiter = rateLimiter;
        this.metrics = metrics;
        this.timeout = timeout;
        this.timer = timer;
        this.readOnly = readOnly;
        this.listener = listener;
    }

    void start(String name) {
        receiver = Thread.ofVirtual().name(name).start(this::receiveLoop);
    }

    CompletableFuture<KrpcMessage.Response> query(InetSocketAddress to, String method, BDict args) {
        int t = nextTransaction.getAndIncrement();
        byte[] tid = {(byte) (t >>> 24), (byte) (t >>> 16), (byte) (t >>> 8), (byte) t};
        CompletableFuture<KrpcMessage.Response> future = new CompletableFuture<>();
        ScheduledFuture<?> timer;
        try {
            timer = this.timer.schedule(() -> {
                if (pending.remove(t) != null) {
                    metrics.timeouts.increment();
                    future.completeExceptionally(new DhtException(method + " to " + to + " timed out after " + timeout.toMillis() + " ms"));
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            return CompletableFuture.failedFuture(new DhtException("DHT node closed"));
        }
        pending.put(t, new Pending(to, future, timer));
        metrics.queriesSent.increment();
        if (!send(KrpcCodec.encodeQuery(tid, method, args, readOnly), to)) {
            pending.remove(t);
            timer.cancel(false);
            future.completeExceptionally(new DhtException("cannot send " + method + " to " + to));
        }
        return future;
    }

    void respond(byte[] t, BDict values, InetSocketAddress to) {
        send(KrpcCodec.encodeResponse(t, values, to), to);
    }

    void error(byte[] t, int code, String message, InetSocketAddress to) {
        send(KrpcCodec.encodeError(t, code, message), to);
    }

    InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new DhtException("DHT socket is closed");
        }
    }

    private boolean send(byte[] datagram, InetSocketAddress to) {
        if (datagram.length > KrpcCodec.MAX_MESSAGE) {
            log.warn("not sending a {}-byte KRPC message to {}: over the {}-byte limit", datagram.length, to, KrpcCodec.MAX_MESSAGE);
            return false;
        }
        try {
            channel.send(ByteBuffer.wrap(datagram), to);
            return true;
        } catch (ClosedChannelException e) {
            return false;
        } catch (IOException e) {
            log.debug("UDP send to {} failed: {}", to, e.toString());
            return false;
        }
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocate(KrpcCodec.MAX_MESSAGE + 1);
        while (!closed) {
            SocketAddress from;
            try {
                buf.clear();
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.debug("UDP receive failed: {}", e.toString());
                }
                continue;
            }
            if (!(from instanceof InetSocketAddress source)) {
                continue;
            }
            try {
                handle(Arrays.copyOf(buf.array(), buf.position()), source);
            } catch (RuntimeException e) {
                // A handler bug must not stop the node from serving everyone else.
                log.warn("error handling a datagram from {}", source, e);
            }
        }
    }

    private void handle(byte[] datagram, InetSocketAddress from) {
        if (!rateLimiter.allow(from.getAddress())) {
            metrics.droppedRateLimited.increment();
            return;
        }
        KrpcMessage msg;
        try {
            msg = KrpcCodec.parse(datagram);
        } catch (BencodeException | IllegalArgumentException e) {
            metrics.droppedMalformed.increment();
            log.debug("dropped malformed KRPC datagram from {}: {}", from, e.getMessage());
            return;
        }
        switch (msg) {
            case KrpcMessage.Query q -> {
                metrics.queriesReceived.increment();
                listener.onQuery(q, from);
            }
            case KrpcMessage.Response r -> {
                Pending p = take(r.transactionId(), from);
                if (p != null) {
                    metrics.responsesReceived.increment();
                    listener.onResponse(r, from);
                    p.future.complete(r);
                }
            }
            case KrpcMessage.Error e -> {
                Pending p = take(e.transactionId(), from);
                if (p != null) {
                    metrics.errorsReceived.increment();
                    p.future.completeExceptionally(new ErrorReply(e.code(), e.message(), from));
                }
            }
        }
    }

    private Pending take(byte[] tid, InetSocketAddress from) {
        if (tid.length != 4) {
            return null;
        }
        int t = ((tid[0] & 0xff) << 24) | ((tid[1] & 0xff) << 16) | ((tid[2] & 0xff) << 8) | (tid[3] & 0xff);
        Pending p = pending.get(t);
        if (p == null || !p.to.equals(from) || !pending.remove(t, p)) {
            return null;
        }
        p.timeout.cancel(false);
        return p;
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing DHT socket: {}", e.toString());
        }
        if (receiver != null) {
            try {
                receiver.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pending.values().forEach(p -> p.future.completeExceptionally(new DhtException("DHT node closed")));
        pending.clear();
    }
}
