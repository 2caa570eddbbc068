package net.rhizome.node.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The node's local admin secret: 32 random bytes in hex, in a 0600 file of the data directory.
 * The CLI reads it and sends {@code Authorization: Bearer <token>} to admin endpoints.
 */
public record AdminToken(String value) {
    public static final String FILE_NAME = "admin-token";
    private static final int MAX_FILE_BYTES = 1024;

    public AdminToken {
        if (value == null || value.length() < 32) {
            throw new IllegalArgumentException("admin token is too short");
        }
    }

    public static AdminToken loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            return load(file);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        AdminToken token = new AdminToken(HexFormat.of().formatHex(random));
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".admin-token", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(tmp, token.value + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return token;
    }

    public static AdminToken load(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException("admin token file " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        try {
            return new AdminToken(Files.readString(file).trim());
        } catch (IllegalArgumentException e) {
            throw new IOException("admin token file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Constant-time comparison with a presented token. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(
                value.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "AdminToken[hidden]";
    }
}
