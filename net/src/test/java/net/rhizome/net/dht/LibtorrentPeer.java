package net.rhizome.net.dht;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** A real libtorrent DHT node in a child /usr/bin/python3 process (see resources/dht/libtorrent_peer.py). */
final class LibtorrentPeer implements AutoCloseable {
    private static final String PYTHON = "/usr/bin/python3";

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path log;
    final InetSocketAddress address;

    private LibtorrentPeer(Process process, Path log) throws Exception {
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        String ready = next("READY", 20);
        address = new InetSocketAddress("127.0.0.1", Integer.parseInt(ready.split(" ")[1]));
    }

    /** Skips the calling test when libtorrent is not installed, unless CI is set (then it fails). */
    static void assumeAvailable() throws Exception {
        boolean available = Files.isExecutable(Path.of(PYTHON))
                && new ProcessBuilder(PYTHON, "-c", "import libtorrent").redirectErrorStream(true).start().waitFor() == 0;
        if (!available && System.getenv("CI") != null) {
            throw new AssertionError("CI is set but " + PYTHON + " cannot import libtorrent (install python3-libtorrent)");
        }
        Assumptions.assumeTrue(available, "libtorrent interop skipped: " + PYTHON + " with python3-libtorrent is not installed");
    }

    static LibtorrentPeer start(InetSocketAddress bootstrap, Path workDir) throws Exception {
        Path script = workDir.resolve("libtorrent_peer.py");
        try (InputStream in = LibtorrentPeer.class.getResourceAsStream("/dht/libtorrent_peer.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder(PYTHON, script.toString(), bootstrap.getHostString() + ":" + bootstrap.getPort(), workDir.toString())
                .redirectError(workDir.resolve("libtorrent.log").toFile())
                .start();
        try {
            return new LibtorrentPeer(p, workDir.resolve("libtorrent.log"));
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    void send(String command) throws IOException {
        stdin.write(command + "\n");
        stdin.flush();
    }

    /** The next output line starting with {@code prefix}, waiting at most {@code seconds}. */
    String next(String prefix, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = end - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("libtorrent peer printed no '" + prefix + "' line within " + seconds + " s; its stderr:\n"
                        + (Files.exists(log) ? Files.readString(log) : "(none)"));
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    @Override
    public void close() {
        try {
            send("quit");
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
