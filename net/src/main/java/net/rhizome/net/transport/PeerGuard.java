package net.rhizome.net.transport;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import net.rhizome.core.crypto.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server interceptor in front of every node service: puts the caller's TLS-authenticated
 * {@link PeerId} into the gRPC {@link Context} ({@link NodeTransport#callerId()}), enforces the
 * per-peer call rate, and reports peers whose calls end in protocol errors.
 */
final class PeerGuard implements ServerInterceptor {
    static final Context.Key<PeerId> CALLER = Context.key("rhizome-caller");
    private static final Logger log = LoggerFactory.getLogger(PeerGuard.class);
    private static final int MAX_TRACKED_PEERS = 10_000;

    private final TransportLimits limits;
    private final Misbehaviour misbehaviour;
    private final Map<PeerId, TokenBucket> buckets = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, TokenBucket> eldest) {
            return size() > MAX_TRACKED_PEERS;
        }
    };

    PeerGuard(TransportLimits limits, Misbehaviour misbehaviour) {
        this.limits = limits;
        this.misbehaviour = misbehaviour;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        PeerId caller;
        try {
            caller = callerOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        } catch (CertificateException | SSLPeerUnverifiedException e) {
            call.close(Status.UNAUTHENTICATED.withDescription("no authenticated node certificate: " + e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        String method = call.getMethodDescriptor().getFullMethodName();
        if (misbehaviour.refuses(caller)) {
            call.close(Status.PERMISSION_DENIED.withDescription("peer is banned for misbehaviour"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        if (!admit(caller)) {
            report(caller, "call rate above " + limits.callsPerSecond() + "/s (" + method + ")");
            call.close(Status.RESOURCE_EXHAUSTED.withDescription("call rate limit exceeded"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        call.setOnReadyThreshold(limits.streamBufferBytes());
        ServerCall<Q, R> watched = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (isProtocolError(status.getCode())) {
                    report(caller, method + " " + status.getCode() + ": " + status.getDescription());
                }
                super.close(status, trailers);
            }
        };
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller), watched, headers, next);
    }

    private static boolean isProtocolError(Status.Code code) {
        return code == Status.Code.INVALID_ARGUMENT
                || code == Status.Code.FAILED_PRECONDITION
                || code == Status.Code.OUT_OF_RANGE
                || code == Status.Code.RESOURCE_EXHAUSTED;
    }

    private void report(PeerId peer, String reason) {
        log.warn("peer misbehaved peer={} reason=\"{}\"", peer.shortId(), reason);
        misbehaviour.report(peer, reason);
    }

    private static PeerId callerOf(SSLSession session) throws CertificateException, SSLPeerUnverifiedException {
        if (session == null) {
            throw new CertificateException("connection is not TLS");
        }
        var certs = session.getPeerCertificates();
        X509Certificate[] chain = new X509Certificate[certs.length];
        for (int i = 0; i < certs.length; i++) {
            if (!(certs[i] instanceof X509Certificate x509)) {
                throw new CertificateException("peer certificate is not X.509");
            }
            chain[i] = x509;
        }
        return NodeCertificates.authenticate(chain);
    }

    private boolean admit(PeerId caller) {
        TokenBucket bucket;
        synchronized (buckets) {
            bucket = buckets.computeIfAbsent(caller, p -> new TokenBucket(limits.callsPerSecond(), limits.callBurst()));
        }
        return bucket.tryTake(System.nanoTime());
    }

    /** Classic token bucket; refilled lazily from the elapsed time. */
    private static final class TokenBucket {
        private final double perNano;
        private final double capacity;
        private double tokens;
        private long last;

        TokenBucket(double perSecond, int burst) {
            this.perNano = perSecond / 1e9;
            this.capacity = burst;
            this.tokens = burst;
            this.last = System.nanoTime();
        }

        synchronized boolean tryTake(long now) {
            tokens = Math.min(capacity, tokens + (now - last) * perNano);
            last = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
