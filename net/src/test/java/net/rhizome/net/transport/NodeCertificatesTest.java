package net.rhizome.net.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import net.rhizome.core.crypto.KeyPair;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class NodeCertificatesTest {
    final KeyPair node = KeyPair.generate();

    @Test
    void aCertificateTheNodeKeySignedAuthenticatesThatNode() throws Exception {
        X509Certificate cert = NodeCertificates.tlsIdentity(node).certificate();
        assertThat(NodeCertificates.authenticate(new X509Certificate[] {cert})).isEqualTo(node.peerId());
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void anotherKeySigningUnderTheNodesNameIsRefused() throws Exception {
        KeyPair impostor = KeyPair.generate();
        X509Certificate forged = build("CN=rhizome-" + node.peerId().hex(), impostor, Instant.now().minusSeconds(60), Duration.ofDays(1));
        assertThatThrownBy(() -> NodeCertificates.authenticate(new X509Certificate[] {forged}))
                .isInstanceOf(CertificateException.class).hasMessageContaining("not signed by the key of " + node.peerId().shortId());
    }

    @Test
    void malformedChainsAreRefusedWithTheReason() throws Exception {
        X509Certificate good = NodeCertificates.tlsIdentity(node).certificate();
        assertThatThrownBy(() -> NodeCertificates.authenticate(new X509Certificate[] {good, good})).hasMessageContaining("exactly one certificate, got 2");
        assertThatThrownBy(() -> NodeCertificates.authenticate(null)).hasMessageContaining("got 0");
        X509Certificate unnamed = build("CN=somebody", node, Instant.now().minusSeconds(60), Duration.ofDays(1));
        assertThatThrownBy(() -> NodeCertificates.authenticate(new X509Certificate[] {unnamed})).hasMessageContaining("subject is not CN=rhizome-");
        X509Certificate expired = build("CN=rhizome-" + node.peerId().hex(), node, Instant.now().minus(Duration.ofDays(3)), Duration.ofDays(1));
        assertThatThrownBy(() -> NodeCertificates.authenticate(new X509Certificate[] {expired})).isInstanceOf(CertificateException.class);
    }

    /** A P-256 certificate named {@code subject} and signed by {@code signer}'s Ed25519 key. */
    private static X509Certificate build(String subject, KeyPair signer, Instant notBefore, Duration validity) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        X500Name name = new X500Name(subject);
        var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
                Date.from(notBefore), Date.from(notBefore.plus(validity)), name, g.generateKeyPair().getPublic());
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("Ed25519").build(NodeCertificates.privateKey(signer))));
    }
}
