package net.rhizome.node.model;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import net.rhizome.inference.gguf.GgufFile;

/**
 * The download cache beside a node's model store, {@code DATA_DIR/downloads/}: one directory per
 * URL holding {@code .download.json}, the partial file {@code .download.part} while bytes arrive, and
 * the finished file under its model name once it passed the checksum and the GGUF check. A partial
 * download resumes with a {@code Range} request (guarded by {@code If-Range}); a finished one is
 * returned again without touching the network.
 */
public final class ModelDownloads {
    static final String PARTIAL = ".download.part";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER = 1 << 20;
    private static final byte[] GGUF_MAGIC = "GGUF".getBytes(StandardCharsets.US_ASCII);

    /** Limits of one download; {@code maxAttempts} counts the transfer attempts that resume after a failure. */
    public record Settings(Duration connectTimeout, Duration readTimeout, int maxRedirects, int maxAttempts, Duration retryDelay,
            long maxBytes) {
        public Settings {
            if (maxRedirects < 0 || maxAttempts < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("download settings out of range");
            }
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(20), Duration.ofSeconds(60), 10, 8, Duration.ofSeconds(2), 1L << 40);
        }

        public Settings withMaxBytes(long max) {
            return new Settings(connectTimeout, readTimeout, maxRedirects, maxAttempts, retryDelay, max);
        }
    }

    /** What to fetch: the URL, optionally the SHA-256 it must have and the file name to store it under. */
    public record Request(URI url, String sha256, String name) {
        public Request {
            if (sha256 != null && !SHA256.matcher(sha256).matches()) {
                throw new IllegalArgumentException("--sha256 must be 64 hex digits, got '" + sha256 + "'");
            }
        }

        public static Request of(String url, String sha256, String name) throws DownloadException {
            try {
                return new Request(ModelUrls.parse(url), sha256 == null ? null : sha256.trim().toLowerCase(Locale.ROOT),
                        name == null ? null : ModelUrls.checkName(name));
            } catch (IllegalArgumentException e) {
                throw new DownloadException(e.getMessage(), false);
            }
        }
    }

    private final Path root;
    private final Settings settings;
    private final HttpSource http;

    public ModelDownloads(Path root, Settings settings) {
        this.root = root.toAbsolutePath().normalize();
        this.settings = settings;
        String token = System.getenv("HF_TOKEN");
        this.http = new HttpSource(settings.connectTimeout(), settings.readTimeout(), settings.maxRedirects(),
                Optional.ofNullable(token).filter(t -> !t.isBlank()).map(String::trim));
    }

    /** The cache of the node whose data directory is {@code dataDir}. */
    public static ModelDownloads of(Path dataDir) {
        return new ModelDownloads(dataDir.resolve("downloads"), Settings.defaults());
    }

    public Path root() {
        return root;
    }

    /** The cache entry of {@code url}: a directory named by the first 32 hex digits of the URL's SHA-256. */
    Path entry(URI url) {
        return root.resolve(HexFormat.of().formatHex(sha256().digest(url.toString().getBytes(StandardCharsets.UTF_8)), 0, 16));
    }

    /** Downloads {@code r.url()} (or finds it in the cache) and returns the verified GGUF file. */
    public Path fetch(Request r, DownloadListener listener) throws IOException {
        Path dir = entry(r.url());
        Files.createDirectories(dir);
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = tryLock(lockFile, r.url())) {
            Optional<Path> hit = cached(dir, r);
            if (hit.isPresent()) {
                listener.cached(hit.get());
                return hit.get();
            }
            String name = r.name() != null ? r.name() : ModelUrls.fileName(r.url());
            DownloadState state = DownloadState.read(dir).filter(s -> s.url().equals(r.url().toString()) && !s.complete())
                    .map(s -> new DownloadState(s.url(), name, s.validator(), s.total(), s.expectedSha256(), null))
                    .orElse(new DownloadState(r.url().toString(), name, null, -1, null, null));
            state = transfer(dir, r, state, listener);
            return finish(dir, state, listener);
        }
    }

    private static FileLock tryLock(FileChannel ch, URI url) throws IOException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new DownloadException("another download of " + url + " is running", false);
        }
        return lock;
    }

    /** The finished file when the entry holds one that satisfies {@code r}; a stale one is deleted. */
    private Optional<Path> cached(Path dir, Request r) throws IOException {
        Optional<DownloadState> s = DownloadState.read(dir).filter(DownloadState::complete);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Path file = dir.resolve(s.get().name());
        boolean usable = s.get().url().equals(r.url().toString()) && Files.isRegularFile(file) && Files.size(file) == s.get().total()
                && (r.sha256() == null || r.sha256().equals(s.get().sha256()));
        if (!usable) {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir.resolve(DownloadState.FILE));
            return Optional.empty();
        }
        if (r.name() == null || r.name().equals(s.get().name())) {
            return Optional.of(file);
        }
        Path named = dir.resolve(r.name());
        if (!Files.exists(named)) {
            Files.createLink(named, file);
        }
        return Optional.of(named);
    }

    private DownloadState transfer(Path dir, Request r, DownloadState state, DownloadListener listener) throws IOException {
        Path part = dir.resolve(PARTIAL);
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(dir, part, r, state, listener);
            } catch (DownloadException e) {
                if (!e.retryable() || attempt >= settings.maxAttempts()) {
                    throw attempt > 1 ? new DownloadException(e.getMessage() + " (after " + attempt + " attempts; run again to resume)",
                            false) : e;
                }
                listener.retrying(attempt, e.getMessage());
                state = DownloadState.read(dir).orElse(state);
                sleep(settings.retryDelay().multipliedBy(attempt));
            }
        }
    }

    private DownloadState attempt(Path dir, Path part, Request r, DownloadState state, DownloadListener listener) throws IOException {
        URI url = r.url();
        long offset = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpSource.Opened o = http.open(url, offset, offset > 0 ? state.validator() : null);
        // a resumed transfer keeps the checksum announced when it began; a fresh one takes the one announced now
        String expected = r.sha256() != null ? r.sha256()
                : o.start() > 0 && state.expectedSha256() != null ? state.expectedSha256() : o.linkedSha256();
        if (o.rangeNotSatisfiable()) {
            if (offset > 0 && o.total() == offset) {
                return state.withTransfer(state.validator(), offset, expected);
            }
            Files.deleteIfExists(part);
            throw new DownloadException("the server refused to resume at byte " + offset + "; starting over", true);
        }
        try {
            checkSize(dir, o.total(), o.start());
            return receive(dir, part, url, o, state.withTransfer(o.validator(), o.total(), expected), listener);
        } finally {
            o.connection().disconnect();
        }
    }

    private DownloadState receive(Path dir, Path part, URI url, HttpSource.Opened o, DownloadState now, DownloadListener listener)
            throws IOException {
        try (InputStream in = o.connection().getInputStream();
                FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            out.truncate(o.start());
            long total = o.total();
            now.write(dir);
            listener.started(now.name(), o.start(), total);
            long done = o.start();
            out.position(done);
            byte[] buf = new byte[BUFFER];
            boolean magicChecked = o.start() >= GGUF_MAGIC.length;
            int n;
            while ((n = read(in, buf, url, done, total)) >= 0) {
                if (total >= 0 && done + n > total) {
                    throw new DownloadException("the server sent more than the announced " + total + " bytes", true);
                }
                if (done + n > settings.maxBytes()) {
                    Files.deleteIfExists(part);
                    throw new DownloadException("the file is larger than the limit of " + settings.maxBytes() + " bytes", false);
                }
                out.write(ByteBuffer.wrap(buf, 0, n));
                done += n;
                if (!magicChecked && done >= GGUF_MAGIC.length) {
                    checkMagic(out, part, url);
                    magicChecked = true;
                }
                listener.progress(done, total);
            }
            if (total >= 0 && done < total) {
                throw new DownloadException("the connection closed after " + done + " of " + total + " bytes", true);
            }
            return total >= 0 ? now : now.withTransfer(now.validator(), done, now.expectedSha256());
        }
    }

    private int read(InputStream in, byte[] buf, URI url, long done, long total) throws DownloadException {
        try {
            return in.read(buf);
        } catch (SocketTimeoutException e) {
            throw new DownloadException("no data from " + url.getHost() + " for " + settings.readTimeout().toSeconds() + "s after "
                    + done + " bytes", true);
        } catch (IOException e) {
            throw new DownloadException("the transfer broke off after " + done + (total >= 0 ? " of " + total : "") + " bytes: "
                    + e.getMessage(), true);
        }
    }

    private void checkSize(Path dir, long total, long start) throws IOException {
        if (total < 0) {
            return;
        }
        if (total > settings.maxBytes()) {
            throw new DownloadException("the file has " + total + " bytes, more than the limit of " + settings.maxBytes(), false);
        }
        long free = Files.getFileStore(dir).getUsableSpace();
        if (total - start > free) {
            throw new DownloadException("not enough disk space in " + dir + ": " + (total - start) + " bytes still to fetch, "
                    + free + " free", false);
        }
    }

    private static void checkMagic(FileChannel out, Path part, URI url) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(GGUF_MAGIC.length);
        out.read(head, 0);
        if (!Arrays.equals(head.array(), GGUF_MAGIC)) {
            Files.deleteIfExists(part);
            throw new DownloadException(url + " is not a GGUF model: the file starts with " + describe(head.array())
                    + " instead of \"GGUF\"", false);
        }
    }

    private static String describe(byte[] b) {
        String text = new String(b, StandardCharsets.US_ASCII);
        return text.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? "\"" + text + "\"" : "0x" + HexFormat.of().formatHex(b);
    }

    /** Checks the SHA-256 and the GGUF structure, then moves the partial file to its name in the entry. */
    private Path finish(Path dir, DownloadState state, DownloadListener listener) throws IOException {
        Path part = dir.resolve(PARTIAL);
        listener.verifying();
        String actual = sha256(part);
        if (state.expectedSha256() != null && !state.expectedSha256().equals(actual)) {
            discard(dir);
            throw new DownloadException("checksum mismatch: expected SHA-256 " + state.expectedSha256() + ", the download has "
                    + actual + " (the download was deleted)", false);
        }
        try (GgufFile gguf = GgufFile.open(part)) {
            gguf.version();
        } catch (IOException | RuntimeException e) {
            discard(dir);
            throw new DownloadException("the download is not a valid GGUF model: " + e.getMessage(), false);
        }
        Path file = dir.resolve(state.name());
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        state.completed(actual, Files.size(file)).write(dir);
        return file;
    }

    private static void discard(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(PARTIAL));
        Files.deleteIfExists(dir.resolve(DownloadState.FILE));
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(Duration d) throws DownloadException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadException("interrupted", false);
        }
    }
}
