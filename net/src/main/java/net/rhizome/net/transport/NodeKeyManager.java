package net.rhizome.net.transport;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import net.rhizome.core.crypto.KeyPair;

/** Presents the transport's one TLS certificate (a P-256 key the node key signed) in every handshake, as client and as server. */
final class NodeKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "node";

    private final PrivateKey privateKey;
    private final X509Certificate certificate;

    NodeKeyManager(KeyPair key) {
        NodeCertificates.TlsIdentity identity = NodeCertificates.tlsIdentity(key);
        this.privateKey = identity.privateKey();
        this.certificate = identity.certificate();
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** JSSE names the key type "EC" (or "EC_EC" for ECDHE_ECDSA in older cipher suite terms). */
    private static boolean ec(String keyType) {
        return "EC".equalsIgnoreCase(keyType) || "EC_EC".equalsIgnoreCase(keyType);
    }

    private static String aliasFor(String[] keyTypes) {
        if (keyTypes != null) {
            for (String type : keyTypes) {
                if (ec(type)) {
                    return ALIAS;
                }
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return ec(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return aliasFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return ec(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return ec(keyType) ? ALIAS : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? new X509Certificate[] {certificate} : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? privateKey : null;
    }
}
