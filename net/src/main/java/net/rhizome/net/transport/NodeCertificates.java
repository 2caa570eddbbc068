package net.rhizome.net.transport;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * TLS certificates vouched for by a node's Ed25519 key. Each transport makes a fresh ECDSA P-256 key
 * for TLS and a certificate for it named {@code CN=rhizome-<peer id hex>} and signed by the node key:
 * the TLS handshake proves possession of the P-256 key, the certificate's signature proves the node
 * key chose it, so the peer id authenticates the connection with no certificate authority. The TLS
 * key is P-256 rather than the node key itself because BoringSSL (the fast TLS path, see
 * {@link NodeTransport}) does not take Ed25519 keys from Java.
 */
public final class NodeCertificates {
    // DER prefixes of the Ed25519 SubjectPublicKeyInfo (RFC 8410) and PKCS#8 private key structures.
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final String NAME_PREFIX = "CN=rhizome-";
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private NodeCertificates() {}

    /** A TLS key and the certificate the node key signed for it. */
    public record TlsIdentity(PrivateKey privateKey, X509Certificate certificate) {}

    /** The node key as a JCA private key (algorithm EdDSA/Ed25519). */
    public static PrivateKey privateKey(KeyPair key) {
        return decode(concat(PKCS8_PREFIX, key.seed()), true);
    }

    /** A peer id as a JCA public key. */
    public static PublicKey publicKey(PeerId id) {
        return decode(concat(SPKI_PREFIX, id.bytes()), false);
    }

    /** A fresh P-256 TLS key with a certificate signed by the node key, valid from one hour ago for ten years. */
    public static TlsIdentity tlsIdentity(KeyPair nodeKey) {
        java.security.KeyPair tls;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            tls = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK cannot make a P-256 key: " + e.getMessage(), e);
        }
        return new TlsIdentity(tls.getPrivate(), certify(nodeKey, tls.getPublic()));
    }

    private static X509Certificate certify(KeyPair nodeKey, PublicKey tlsKey) {
        Instant notBefore = Instant.now().minus(Duration.ofHours(1));
        X500Name name = new X500Name(NAME_PREFIX + nodeKey.peerId().hex());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                name,
                new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
                Date.from(notBefore),
                Date.from(notBefore.plus(VALIDITY)),
                name,
                tlsKey);
        try {
            var signer = new JcaContentSignerBuilder("Ed25519").build(privateKey(nodeKey));
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("cannot make a node certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The peer id a presented chain authenticates: exactly one certificate, subject and issuer
     * {@code CN=rhizome-<peer id hex>}, an EC public key, a valid Ed25519 signature by that peer id
     * and a current validity period. Anything else is refused with the reason.
     */
    public static PeerId authenticate(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length != 1) {
            throw new CertificateException("a node presents exactly one certificate, got " + (chain == null ? 0 : chain.length));
        }
        X509Certificate cert = chain[0];
        PeerId peer = peerNamed(cert.getSubjectX500Principal().getName());
        if (!cert.getIssuerX500Principal().equals(cert.getSubjectX500Principal())) {
            throw new CertificateException("node certificate issuer " + cert.getIssuerX500Principal().getName() + " is not its subject");
        }
        if (!(cert.getPublicKey() instanceof ECPublicKey)) {
            throw new CertificateException("node certificate key is not an EC key (" + cert.getPublicKey().getAlgorithm() + ")");
        }
        try {
            cert.verify(publicKey(peer));
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new CertificateException("node certificate is not signed by the key of " + peer.shortId() + ": " + e.getMessage(), e);
        }
        cert.checkValidity();
        return peer;
    }

    /** The peer whose canonical name ({@code CN=rhizome-} and the id in lower-case hex) {@code subject} is. */
    private static PeerId peerNamed(String subject) throws CertificateException {
        if (subject.startsWith(NAME_PREFIX)) {
            String hex = subject.substring(NAME_PREFIX.length());
            try {
                PeerId peer = PeerId.parse(hex);
                if (peer.hex().equals(hex)) {
                    return peer;
                }
            } catch (IllegalArgumentException e) {
                // not a peer id: refused below
            }
        }
        throw new CertificateException("node certificate subject is not " + NAME_PREFIX + "<peer id hex>: "
                + subject.substring(0, Math.min(subject.length(), 100)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static <K> K decode(byte[] der, boolean isPrivate) {
        try {
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            @SuppressWarnings("unchecked")
            K key = (K) (isPrivate
                    ? factory.generatePrivate(new PKCS8EncodedKeySpec(der))
                    : factory.generatePublic(new X509EncodedKeySpec(der)));
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK cannot decode an Ed25519 key: " + e.getMessage(), e);
        }
    }
}
