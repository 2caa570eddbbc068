package net.rhizome.swarm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.metainfo.Metainfo;
import net.rhizome.swarm.session.Swarm;
import net.rhizome.swarm.session.TorrentSession;

/**
 * A Rhizome leecher in its own JVM, driven like {@code lt_peer.py leech}: prints
 * {@code LISTEN <port>}, reads one line of comma-separated HOST:PORT peers, downloads (timed from
 * that line), prints {@code DONE <seconds> <process CPU seconds>}, then seeds until stdin closes.
 * Its upload is limited to UPLOAD_LIMIT bytes per second (0: none).
 */
public final class LeecherProcess {
    static final String MAIN = LeecherProcess.class.getName();
    private static final int MAX_PEER_LINE = 64 * 1024;

    private LeecherProcess() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: LeecherProcess TORRENT SAVE_DIR TIMEOUT_SECONDS UPLOAD_LIMIT");
            System.exit(2);
        }
        // stdout carries only the line protocol; logs (the console appender writes to System.out) go to stderr
        PrintStream out = System.out;
        System.setOut(System.err);
        Metainfo metainfo = Metainfo.parse(Files.readAllBytes(Path.of(args[0])));
        try (Swarm swarm = new Swarm(SwarmBenchmark.peerConfig(Long.parseLong(args[3])), List.of()).start()) {
            TorrentSession session = swarm.add(metainfo, Path.of(args[1]), null, null);
            out.println("LISTEN " + swarm.port());
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            List<PeerAddress> peers = peers(in.readLine());
            long start = System.nanoTime();
            long cpu0 = processCpu();
            peers.forEach(session::addPeer);
            session.completion().get(Long.parseLong(args[2]), TimeUnit.SECONDS);
            out.printf(Locale.ROOT, "DONE %.3f %.3f%n", (System.nanoTime() - start) / 1e9, (processCpu() - cpu0) / 1e9);
            out.flush();
            while (in.read() >= 0) {
                // seed to the other leechers until the benchmark closes stdin
            }
        }
    }

    private static List<PeerAddress> peers(String line) throws IOException {
        if (line == null || line.length() > MAX_PEER_LINE) {
            throw new IOException("expected one line of HOST:PORT peers on stdin");
        }
        List<PeerAddress> peers = new ArrayList<>();
        for (String a : line.strip().split(",")) {
            if (!a.isEmpty()) {
                int colon = a.lastIndexOf(':');
                peers.add(new PeerAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
            }
        }
        return peers;
    }

    private static long processCpu() {
        return ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class).getProcessCpuTime();
    }
}
