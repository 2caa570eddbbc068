package net.rhizome.core.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;
import net.rhizome.core.util.Hex;

/** An Ed25519 key pair: the secret seed and the {@link PeerId} it yields. */
public final class KeyPair {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] seed;
    private final byte[] publicKey;
    private final PeerId peerId;

    private KeyPair(byte[] seed) {
        this.seed = seed;
        this.publicKey = Ed25519.publicKey(seed);
        this.peerId = PeerId.of(publicKey);
    }

    public static KeyPair generate() {
        byte[] seed = new byte[Ed25519.SEED_LENGTH];
        new SecureRandom().nextBytes(seed);
        return new KeyPair(seed);
    }

    public static KeyPair fromSeed(byte[] seed) {
        if (seed.length != Ed25519.SEED_LENGTH) {
            throw new IllegalArgumentException("Ed25519 seed must be 32 bytes, got " + seed.length);
        }
        return new KeyPair(seed.clone());
    }

    /** A key pair derived from a label, for tests and deterministic devnet genesis accounts only. */
    public static KeyPair deterministic(String label) {
        return new KeyPair(Hashes.sha256(("rhizome-test-key:" + label).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Loads the key stored at {@code file} (the seed in hex), or creates one there with mode 0600.
     * A file with any other content is an error, never silently replaced.
     */
    public static KeyPair loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            String text = Files.readString(file).trim();
            try {
                return fromSeed(Hex.decode(text, Ed25519.SEED_LENGTH, "node key in " + file));
            } catch (IllegalArgumentException e) {
                throw new IOException("cannot read node key " + file + ": " + e.getMessage(), e);
            }
        }
        KeyPair created = generate();
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".node-key", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, OWNER_ONLY);
            Files.writeString(tmp, Hex.encode(created.seed) + "\n");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return created;
    }

    public PeerId peerId() {
        return peerId;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The secret seed (a copy); needed to build TLS certificates from the node key. */
    public byte[] seed() {
        return seed.clone();
    }

    public byte[] sign(byte[] message) {
        return Ed25519.sign(seed, publicKey, message);
    }

    @Override
    public String toString() {
        return "KeyPair[" + peerId.shortId() + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyPair other && Arrays.equals(seed, other.seed);
    }

    @Override
    public int hashCode() {
        return peerId.hashCode();
    }
}
