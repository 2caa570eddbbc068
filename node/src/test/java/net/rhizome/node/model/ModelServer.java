package net.rhizome.node.model;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server for download tests: serves files with ETag and {@code Range}/{@code If-Range}
 * support like a CDN, and can misbehave on request (drop the connection mid-way, redirect, send
 * HTML, ignore ranges). Records every request's path and Range header.
 */
final class ModelServer implements AutoCloseable {
    record Hit(String path, String range) {}

    private sealed interface Route {}

    private record FileRoute(byte[] body, String etag, String linkedSha256, String contentType) implements Route {}

    private record Redirect(String location) implements Route {}

    private final HttpServer server;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> dropsLeft = new ConcurrentHashMap<>();
    private final Map<String, Long> dropAfter = new ConcurrentHashMap<>();
    private final List<Hit> hits = new CopyOnWriteArrayList<>();
    private volatile boolean ignoreRanges;

    ModelServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    ModelServer file(String path, byte[] body, String etag) {
        routes.put(path, new FileRoute(body, etag, null, "application/octet-stream"));
        return this;
    }

    /** Like Hugging Face: the answer carries the file's SHA-256 in {@code X-Linked-Etag}. */
    ModelServer fileWithLinkedSha(String path, byte[] body, String sha256) {
        routes.put(path, new FileRoute(body, "\"" + sha256 + "\"", sha256, "application/octet-stream"));
        return this;
    }

    ModelServer html(String path) {
        routes.put(path, new FileRoute("<!doctype html><html>model page</html>".getBytes(StandardCharsets.UTF_8), null, null,
                "text/html; charset=utf-8"));
        return this;
    }

    ModelServer redirect(String from, String to) {
        routes.put(from, new Redirect(to));
        return this;
    }

    /** The next {@code times} requests of {@code path} lose the connection after {@code bytes} body bytes. */
    ModelServer drop(String path, long bytes, int times) {
        dropAfter.put(path, bytes);
        dropsLeft.put(path, new AtomicInteger(times));
        return this;
    }

    ModelServer ignoreRanges() {
        ignoreRanges = true;
        return this;
    }

    List<Hit> hits() {
        return hits;
    }

    long hitsOf(String path) {
        return hits.stream().filter(h -> h.path().equals(path)).count();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        hits.add(new Hit(path, range));
        try (ex) {
            switch (routes.get(path)) {
                case null -> ex.sendResponseHeaders(404, -1);
                case Redirect r -> {
                    ex.getResponseHeaders().set("Location", r.location());
                    ex.sendResponseHeaders(302, -1);
                }
                case FileRoute f -> serve(ex, path, f, range);
            }
        }
    }

    private void serve(HttpExchange ex, String path, FileRoute f, String range) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", f.contentType());
        if (f.etag() != null) {
            h.set("ETag", f.etag());
        }
        if (f.linkedSha256() != null) {
            h.set("X-Linked-Etag", "\"" + f.linkedSha256() + "\"");
        }
        String ifRange = ex.getRequestHeaders().getFirst("If-Range");
        long start = 0;
        if (range != null && !ignoreRanges && (ifRange == null || ifRange.equals(f.etag()))) {
            start = Long.parseLong(range.substring("bytes=".length(), range.indexOf('-')));
            if (start >= f.body().length) {
                h.set("Content-Range", "bytes */" + f.body().length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            h.set("Content-Range", "bytes " + start + "-" + (f.body().length - 1) + "/" + f.body().length);
        }
        int length = (int) (f.body().length - start);
        ex.sendResponseHeaders(start > 0 ? 206 : 200, length);
        OutputStream out = ex.getResponseBody();
        AtomicInteger drops = dropsLeft.get(path);
        if (drops != null && drops.getAndDecrement() > 0) {
            int cut = (int) Math.min(length, dropAfter.get(path));
            out.write(f.body(), (int) start, cut);
            out.flush();
            throw new IOException("test server drops the connection after " + cut + " bytes");
        }
        out.write(f.body(), (int) start, length);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
