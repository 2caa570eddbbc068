package net.rhizome.net.transport;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import net.rhizome.core.crypto.PeerId;

/**
 * Trusts node certificates by identity instead of by CA. Three modes:
 * <ul>
 *   <li>{@link #expecting(PeerId)}: only that peer's key (outgoing calls to a known peer);</li>
 *   <li>{@link #discovering()}: any valid node certificate, pinned on first use so a reconnect of the
 *       same channel cannot switch identity; {@link #authenticated()} reports who it was;</li>
 *   <li>{@link #anyNode()}: any valid node certificate (server side: every node may call us, the
 *       caller's id is exposed per call).</li>
 * </ul>
 * Implementing {@link X509ExtendedTrustManager} also means the JDK does no host-name check: a node's
 * identity is its key, not its address.
 */
public final class PeerTrustManager extends X509ExtendedTrustManager {
    private final PeerId expected;
    private final boolean pinOnFirstUse;
    private final AtomicReference<PeerId> authenticated = new AtomicReference<>();

    private PeerTrustManager(PeerId expected, boolean pinOnFirstUse) {
        this.expected = expected;
        this.pinOnFirstUse = pinOnFirstUse;
    }

    public static PeerTrustManager expecting(PeerId expected) {
        return new PeerTrustManager(java.util.Objects.requireNonNull(expected), false);
    }

    public static PeerTrustManager discovering() {
        return new PeerTrustManager(null, true);
    }

    public static PeerTrustManager anyNode() {
        return new PeerTrustManager(null, false);
    }

    /** The peer this manager last accepted (for a discovering manager: the pinned peer). */
    public Optional<PeerId> authenticated() {
        return Optional.ofNullable(authenticated.get());
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        PeerId presented = NodeCertificates.authenticate(chain);
        if (expected != null && !expected.equals(presented)) {
            throw new CertificateException("peer presented key " + presented.shortId()
                    + " but " + expected.shortId() + " was expected");
        }
        if (pinOnFirstUse && !authenticated.compareAndSet(null, presented) && !presented.equals(authenticated.get())) {
            throw new CertificateException("peer changed identity from " + authenticated.get().shortId()
                    + " to " + presented.shortId() + " on the same channel");
        }
        authenticated.set(presented);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
