package net.rhizome.net.transport;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
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
 * TLS certificates made from a node's Ed25519 key. The certificate is self-signed and carries the
 * node key itself as its public key, so the key that authenticates a TLS handshake <em>is</em> the
 * {@link PeerId}; no certificate authority is involved.
 */
public final class NodeCertificates {
    // DER prefixes of the Ed25519 SubjectPublicKeyInfo (RFC 8410) and PKCS#8 private key structures.
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private NodeCertificates() {}

    /** The node key as a JCA private key (algorithm EdDSA/Ed25519). */
    public static PrivateKey privateKey(KeyPair key) {
        return decode(concat(PKCS8_PREFIX, key.seed()), true);
    }

    /** A peer id as a JCA public key. */
    public static PublicKey publicKey(PeerId id) {
        return decode(concat(SPKI_PREFIX, id.bytes()), false);
    }

    /** A fresh self-signed certificate for the node key, valid from one hour ago for ten years. */
    public static X509Certificate selfSigned(KeyPair key) {
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=rhizome-" + key.peerId().hex());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                name,
                new BigInteger(64, new java.security.SecureRandom()).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(VALIDITY)),
                name,
                publicKey(key.peerId()));
        try {
            var signer = new JcaContentSignerBuilder("Ed25519").build(privateKey(key));
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("cannot make a node certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The peer id a presented chain authenticates: exactly one certificate, an Ed25519 key, a valid
     * self-signature and a current validity period. Anything else is refused with the reason.
     */
    public static PeerId authenticate(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length != 1) {
            throw new CertificateException("a node presents exactly one self-signed certificate, got "
                    + (chain == null ? 0 : chain.length));
        }
        X509Certificate cert = chain[0];
        byte[] spki = cert.getPublicKey().getEncoded();
        if (spki.length != SPKI_PREFIX.length + PeerId.LENGTH
                || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new CertificateException("node certificate key is not Ed25519 (" + cert.getPublicKey().getAlgorithm() + ")");
        }
        try {
            cert.verify(cert.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new CertificateException("node certificate is not validly self-signed: " + e.getMessage(), e);
        }
        cert.checkValidity();
        return PeerId.of(Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length));
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
