package net.rhizome.node.model;

import java.nio.file.Path;

/** What a download reports while it runs; a progress bar in the CLI, nothing in tests. */
public interface DownloadListener {
    DownloadListener NONE = new DownloadListener() {};

    /** A transfer attempt begins at byte {@code offset}; {@code total} is -1 when the server does not say. */
    default void started(String name, long offset, long total) {}

    default void progress(long done, long total) {}

    /** Attempt {@code attempt} failed with {@code reason}; the next one resumes from what is on disk. */
    default void retrying(int attempt, String reason) {}

    /** The URL was downloaded before: {@code file} comes from the cache, nothing is fetched. */
    default void cached(Path file) {}

    /** The bytes are all here; checksum and GGUF validation follow. */
    default void verifying() {}
}
