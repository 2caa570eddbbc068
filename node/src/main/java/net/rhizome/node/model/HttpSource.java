package net.rhizome.node.model;

import java.io.IOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * One HTTP(S) GET of a model URL from a byte offset: follows at most {@code maxRedirects} redirects
 * (never from HTTPS down to HTTP) and turns every failure into a {@link DownloadException} that says
 * what went wrong and whether trying again can help.
 */
final class HttpSource {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_LOCATION_CHARS = 8192;

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxRedirects;
    private final Optional<String> huggingFaceToken;

    HttpSource(Duration connectTimeout, Duration readTimeout, int maxRedirects, Optional<String> huggingFaceToken) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.maxRedirects = maxRedirects;
        this.huggingFaceToken = huggingFaceToken;
    }

    /**
     * An open answer. {@code start} is where its body begins in the file (0 when the server ignored
     * the range), {@code total} the file size or -1, {@code validator} the ETag or Last-Modified to
     * resume with, {@code linkedSha256} the SHA-256 Hugging Face announces in {@code X-Linked-Etag}.
     */
    record Opened(HttpURLConnection connection, int status, long start, long total, String validator, String linkedSha256) {
        boolean rangeNotSatisfiable() {
            return status == 416;
        }
    }

    Opened open(URI url, long offset, String validator) throws DownloadException {
        URI current = url;
        String linkedSha256 = null;
        for (int hop = 0; ; hop++) {
            HttpURLConnection c = connect(current, offset, validator);
            int status = status(c, current);
            linkedSha256 = linkedSha256 != null ? linkedSha256 : linkedSha256(c);
            if (status >= 300 && status < 400 && status != 304) {
                URI next = redirect(c, current, status);
                c.disconnect();
                if (hop >= maxRedirects) {
                    throw new DownloadException("more than " + maxRedirects + " redirects, the last to " + next, false);
                }
                current = next;
                continue;
            }
            return answer(c, current, status, offset, linkedSha256);
        }
    }

    private HttpURLConnection connect(URI url, long offset, String validator) throws DownloadException {
        try {
            HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout((int) connectTimeout.toMillis());
            c.setReadTimeout((int) readTimeout.toMillis());
            c.setRequestProperty("User-Agent", "rhizome-model-pull");
            c.setRequestProperty("Accept-Encoding", "identity");
            if (offset > 0) {
                c.setRequestProperty("Range", "bytes=" + offset + "-");
                if (validator != null) {
                    c.setRequestProperty("If-Range", validator);
                }
            }
            if (huggingFaceToken.isPresent() && isHuggingFace(url)) {
                c.setRequestProperty("Authorization", "Bearer " + huggingFaceToken.get());
            }
            return c;
        } catch (IOException | IllegalArgumentException e) {
            throw new DownloadException("cannot open " + url + ": " + e.getMessage(), false);
        }
    }

    private static boolean isHuggingFace(URI url) {
        String host = url.getHost().toLowerCase(Locale.ROOT);
        return url.getScheme().equalsIgnoreCase("https")
                && (host.equals("huggingface.co") || host.endsWith(".huggingface.co") || host.equals("hf.co"));
    }

    private int status(HttpURLConnection c, URI url) throws DownloadException {
        String where = url.getHost() + ":" + port(url);
        try {
            return c.getResponseCode();
        } catch (ConnectException e) {
            throw new DownloadException("cannot connect to " + where + ": " + e.getMessage(), false);
        } catch (UnknownHostException e) {
            throw new DownloadException("unknown host " + url.getHost() + " (is this machine online?)", false);
        } catch (SSLException e) {
            throw new DownloadException("TLS with " + where + " failed: " + e.getMessage(), false);
        } catch (SocketTimeoutException e) {
            throw new DownloadException("no answer from " + where + " (" + e.getMessage() + ")", true);
        } catch (IOException e) {
            throw new DownloadException("request to " + where + " failed: " + e.getMessage(), true);
        }
    }

    private static int port(URI url) {
        return url.getPort() > 0 ? url.getPort() : url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static URI redirect(HttpURLConnection c, URI from, int status) throws DownloadException {
        String location = c.getHeaderField("Location");
        if (location == null || location.isBlank() || location.length() > MAX_LOCATION_CHARS) {
            throw new DownloadException("redirect (HTTP " + status + ") from " + from + " without a usable Location header", false);
        }
        URI next;
        try {
            next = from.resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw new DownloadException("redirect from " + from + " to a malformed location: " + e.getMessage(), false);
        }
        ModelUrls.check(next);
        if (from.getScheme().equalsIgnoreCase("https") && next.getScheme().equalsIgnoreCase("http")) {
            throw new DownloadException("refusing a redirect from HTTPS to plain HTTP (" + next + ")", false);
        }
        return next;
    }

    private static String linkedSha256(HttpURLConnection c) {
        String etag = c.getHeaderField("X-Linked-Etag");
        if (etag == null) {
            return null;
        }
        String v = etag.trim().replace("\"", "").toLowerCase(Locale.ROOT);
        return SHA256.matcher(v).matches() ? v : null;
    }

    private Opened answer(HttpURLConnection c, URI url, int status, long offset, String linkedSha256) throws DownloadException {
        switch (status) {
            case 200, 206 -> {
                rejectHtml(c, url);
                String validator = validator(c);
                if (status == 200) {
                    return new Opened(c, status, 0, c.getContentLengthLong(), validator, linkedSha256);
                }
                ContentRange range = ContentRange.parse(c.getHeaderField("Content-Range"));
                if (range.start() != offset) {
                    c.disconnect();
                    throw new DownloadException("asked for bytes from " + offset + " but the server sent them from "
                            + range.start() + "; starting over", true);
                }
                return new Opened(c, status, range.start(), range.total(), validator, linkedSha256);
            }
            case 416 -> {
                long total = unsatisfiedTotal(c.getHeaderField("Content-Range"));
                c.disconnect();
                return new Opened(c, status, offset, total, null, linkedSha256);
            }
            default -> {
                c.disconnect();
                throw statusError(status, url);
            }
        }
    }

    private static DownloadException statusError(int status, URI url) {
        return switch (status) {
            case 404, 410 -> new DownloadException("not found (HTTP " + status + "): " + url, false);
            case 401, 403 -> new DownloadException("access denied (HTTP " + status + ") to " + url
                    + "; a gated Hugging Face model needs HF_TOKEN set to a token with access", false);
            case 408, 429, 500, 502, 503, 504 -> new DownloadException("server error (HTTP " + status + ") from " + url, true);
            default -> new DownloadException("unexpected answer HTTP " + status + " from " + url, false);
        };
    }

    private static void rejectHtml(HttpURLConnection c, URI url) throws DownloadException {
        String type = c.getContentType();
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/html")) {
            c.disconnect();
            throw new DownloadException(url + " answered with an HTML page, not a model file (Content-Type " + type
                    + "); for Hugging Face use the .../resolve/main/FILE.gguf link, not .../blob/main/FILE.gguf", false);
        }
    }

    /** A strong ETag, else Last-Modified: what {@code If-Range} accepts to resume only the same file. */
    private static String validator(HttpURLConnection c) {
        String etag = c.getHeaderField("ETag");
        if (etag != null && !etag.startsWith("W/") && etag.length() <= 512) {
            return etag;
        }
        String modified = c.getHeaderField("Last-Modified");
        return modified != null && modified.length() <= 128 ? modified : null;
    }

    /** The size in {@code Content-Range: bytes *}{@code /SIZE} of a 416 answer, or -1. */
    private static long unsatisfiedTotal(String header) {
        if (header == null || header.length() > 40 || !header.startsWith("bytes */")) {
            return -1;
        }
        try {
            return Long.parseLong(header.substring("bytes */".length()).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
