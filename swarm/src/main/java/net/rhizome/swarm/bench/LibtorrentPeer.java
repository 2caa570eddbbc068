package net.rhizome.swarm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Drives Debian's python3-libtorrent through {@code lt_peer.py}: a real BitTorrent peer on 127.0.0.1. */
public final class LibtorrentPeer {
    private static final String PYTHON = "/usr/bin/python3";

    private LibtorrentPeer() {}

    /** Whether {@code /usr/bin/python3} can import libtorrent. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import libtorrent").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static Path script() throws IOException {
        Path tmp = Files.createTempFile("lt_peer", ".py");
        try (var in = LibtorrentPeer.class.getResourceAsStream("/net/rhizome/swarm/bench/lt_peer.py")) {
            Files.write(tmp, in.readAllBytes());
        }
        tmp.toFile().deleteOnExit();
        return tmp;
    }

    /** Creates a torrent with libtorrent; returns its v2 info-hash (hex) and v1 info-hash (hex or "-"). */
    public static List<String> create(Path src, Path out, boolean hybrid, int pieceSize) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script().toString(), "create", src.toString(), out.toString(),
                "--piece-size", Integer.toString(pieceSize)));
        if (hybrid) {
            cmd.add("--hybrid");
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("lt_peer create failed: " + text);
        }
        List<String> out2 = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("V2 ") || line.startsWith("V1 ")) {
                out2.add(line.substring(3).trim());
            }
        }
        return out2;
    }

    /** A running libtorrent seeder; closing it closes its stdin, which ends it. */
    public record Seeder(Process process, int port) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            process.getOutputStream().close();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A libtorrent seeder of {@code torrent}; {@code uploadLimit} in bytes per second, 0 for none. */
    public static Seeder seed(Path torrent, Path saveDir, long uploadLimit) throws Exception {
        Process p = new ProcessBuilder(PYTHON, script().toString(), "seed", torrent.toString(), saveDir.toString(),
                "--upload-limit", Long.toString(uploadLimit))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (line == null || !line.startsWith("LISTEN ")) {
            p.destroyForcibly();
            throw new IOException("libtorrent seeder did not start: " + line);
        }
        return new Seeder(p, Integer.parseInt(line.substring(7).trim()));
    }

    /**
     * {@code saveDirs.size()} libtorrent leecher processes fetch {@code torrent} at once from the
     * seeder at 127.0.0.1:{@code seederPort}; leecher i also connects to leechers 0..i-1. Returns the
     * wall-clock seconds from the moment all were told their peers until the last one finished.
     */
    public static double swarm(Path torrent, List<Path> saveDirs, int seederPort, int timeoutSeconds, long uploadLimit) throws Exception {
        String script = script().toString();
        List<List<String>> commands = saveDirs.stream()
                .map(d -> List.of(PYTHON, script, "leech", torrent.toString(), d.toString(), Integer.toString(timeoutSeconds),
                        "--upload-limit", Long.toString(uploadLimit)))
                .toList();
        return ProcessSwarm.run(commands, seederPort, torrent.resolveSibling("lt-leecher-logs")).seconds();
    }

    /** Downloads {@code torrentOrMagnet} from the peer at 127.0.0.1:{@code port}; returns the seconds it took. */
    public static double get(String torrentOrMagnet, Path saveDir, int port, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(PYTHON, script().toString(), "get", torrentOrMagnet, saveDir.toString(),
                "127.0.0.1:" + port, Integer.toString(timeoutSeconds)).redirectErrorStream(true).start();
        try {
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds + 30L, TimeUnit.SECONDS) || p.exitValue() != 0 || !text.contains("DONE")) {
                throw new IOException("libtorrent download failed: " + text);
            }
            String done = text.substring(text.indexOf("DONE")).split("\\s+")[1];
            return Double.parseDouble(done);
        } finally {
            p.destroyForcibly();
        }
    }
}
