package net.rhizome.node.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What {@code .download.json} in a cache entry records: the URL, the file name, the validator and
 * size to resume against, the SHA-256 it must have (if known) and, once complete, the SHA-256 it has.
 */
record DownloadState(String url, String name, String validator, long total, String expectedSha256, String sha256) {
    static final String FILE = ".download.json";
    private static final long MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    boolean complete() {
        return sha256 != null;
    }

    DownloadState withTransfer(String newValidator, long newTotal, String newExpected) {
        return new DownloadState(url, name, newValidator, newTotal, newExpected, null);
    }

    DownloadState completed(String actualSha256, long size) {
        return new DownloadState(url, name, validator, size, expectedSha256, actualSha256);
    }

    /** The state in {@code dir}, or empty when there is none or it cannot be read (the entry then starts afresh). */
    static Optional<DownloadState> read(Path dir) {
        Path f = dir.resolve(FILE);
        try {
            if (!Files.isRegularFile(f) || Files.size(f) > MAX_BYTES) {
                return Optional.empty();
            }
            DownloadState s = JSON.readValue(f.toFile(), DownloadState.class);
            if (s.url() == null || s.name() == null) {
                return Optional.empty();
            }
            ModelUrls.checkName(s.name());
            return Optional.of(s);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
