package net.rhizome.swarm.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import net.rhizome.swarm.session.Swarm;
import net.rhizome.swarm.session.SwarmConfig;
import net.rhizome.swarm.session.TorrentSession;

/**
 * Loopback swarm benchmark: one seeder to one leecher, one seeder to N leechers at once, the same
 * two transfers done by libtorrent peers (one process each), and the CPU cost of Merkle
 * verification. Every figure is printed next to its reference from the same run.
 */
public final class SwarmBenchmark {
    /**
     * Measured figures; seconds, CPU seconds per GiB. libtorrent figures are NaN when it is
     * missing, {@code processOneToOne}/{@code processOneToMany} when leechers did not run in their
     * own JVMs. {@code processCpuPerGiB} is the in-JVM 1 -> 1, {@code swarmCpuPerGiB} the in-JVM
     * 1 -> N per GiB delivered.
     */
    public record Result(long bytes, double oneToOne, double oneToMany, int leechers, double libtorrent,
            double libtorrentOneToMany, double processOneToOne, double processOneToMany, double hashCpuPerGiB,
            double processCpuPerGiB, double swarmCpuPerGiB) {
        public double swarmRatio() {
            return oneToMany / oneToOne;
        }

        public double libtorrentSwarmRatio() {
            return libtorrentOneToMany / libtorrent;
        }

        public double vsLibtorrent() {
            return libtorrent / oneToOne;
        }
    }

    private SwarmBenchmark() {}

    /**
     * Which transfers to run besides the in-JVM Rhizome ones, and each peer's upload limit in bytes per
     * second (0: none), the same for Rhizome and libtorrent peers: with it the peers' uplinks, not the
     * CPUs, bound the transfers, as on a real network.
     */
    public record Options(boolean libtorrent, boolean leecherProcesses, long uploadLimit) {
        public Options {
            if (uploadLimit < 0) {
                throw new IllegalArgumentException("upload limit must be >= 0 bytes/s: " + uploadLimit);
            }
        }

        SwarmConfig peerConfig() {
            return SwarmBenchmark.peerConfig(uploadLimit);
        }
    }

    /** A benchmark peer on loopback whose upload is limited to {@code uploadLimit} bytes per second (0: none). */
    static SwarmConfig peerConfig(long uploadLimit) {
        return SwarmConfig.loopback().withRates(uploadLimit, 0);
    }

    public static Result run(Path work, long size, int leechers, Options options, PrintWriter out) throws Exception {
        Files.createDirectories(work);
        Path seedDir = work.resolve("seed");
        Path file = seedDir.resolve("bench-model.bin");
        try {
            out.printf(Locale.ROOT, "generating %s of random data in %s%n", gib(size), file);
            out.flush();
            writeRandom(file, size);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            TorrentBuilder.Created torrent = TorrentBuilder.create(file, false);
            double hashCpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9 / (size / (double) (1L << 30));
            out.printf(Locale.ROOT, "torrent: %d pieces of %d KiB; Merkle hashing %.2f s CPU per GiB (one thread)%n",
                    torrent.metainfo().info().pieceCount(), torrent.metainfo().info().pieceLength() / 1024, hashCpu);
            out.flush();

            double one;
            double procCpuPerGiB;
            if (options.uploadLimit() > 0) {
                out.printf(Locale.ROOT, "every peer's upload limited to %.1f MiB/s (Rhizome and libtorrent alike)%n", options.uploadLimit() / (double) (1 << 20));
            }
            try (Swarm seeder = new Swarm(options.peerConfig(), List.of()).start()) {
                seeder.add(torrent.metainfo(), seedDir, null, torrent.leafHashes());
                transfer(seeder, torrent, work, 1, options);
                out.println("warm-up transfer done (JIT); measuring");
                out.flush();
                // best of two: the shared machine's load swings run times by tens of percent
                long pcpu0 = processCpu();
                double first = transfer(seeder, torrent, work, 1, options);
                procCpuPerGiB = (processCpu() - pcpu0) / 1e9 / (size / (double) (1L << 30));
                double second = transfer(seeder, torrent, work, 1, options);
                one = Math.min(first, second);
                out.printf(Locale.ROOT, "1 seeder -> 1 leecher:  %6.2f s  %7.1f MiB/s  (best of %.2f s, %.2f s; process CPU %.2f s per GiB, seeder and leecher together)%n",
                        one, size / one / (1 << 20), first, second, procCpuPerGiB);
                out.flush();
                long manyCpu0 = processCpu();
                double many = transfer(seeder, torrent, work, leechers, options);
                double swarmCpuPerGiB = (processCpu() - manyCpu0) / 1e9 / (leechers * size / (double) (1L << 30));
                out.printf(Locale.ROOT, "1 seeder -> %d leechers: %6.2f s until all finished = %.2fx the single-leecher time (goal <= 1.5x)%n",
                        leechers, many, many / one);
                out.printf(Locale.ROOT, "  process CPU %.2f s per GiB delivered (%d copies; 1 -> 1 used %.2f s per GiB); %d cores\n",
                        swarmCpuPerGiB, leechers, procCpuPerGiB, Runtime.getRuntime().availableProcessors());
                out.flush();
                double pOne = Double.NaN;
                double pMany = Double.NaN;
                if (options.leecherProcesses()) {
                    ProcessSwarm.Outcome single = rhizomeProcesses(seeder, torrent, work, 1, options.uploadLimit());
                    pOne = single.seconds();
                    double leecherCpu = Double.parseDouble(single.done().getFirst().split("\\s+")[2]) / (size / (double) (1L << 30));
                    out.printf(Locale.ROOT, "1 seeder -> 1 leecher JVM:  %6.2f s  %7.1f MiB/s  (cold JVM; leecher process CPU %.2f s per GiB)%n",
                            pOne, size / pOne / (1 << 20), leecherCpu);
                    out.flush();
                    pMany = rhizomeProcesses(seeder, torrent, work, leechers, options.uploadLimit()).seconds();
                    out.printf(Locale.ROOT, "1 seeder -> %d leecher JVMs: %6.2f s until all finished = %.2fx the single-JVM time (goal <= 1.5x)%n",
                            leechers, pMany, pMany / pOne);
                    out.flush();
                }
                double lt = Double.NaN;
                double ltMany = Double.NaN;
                if (options.libtorrent() && LibtorrentPeer.available()) {
                    double ltFirst = libtorrent(torrent, seedDir, work, 1, options.uploadLimit());
                    double ltSecond = libtorrent(torrent, seedDir, work, 1, options.uploadLimit());
                    lt = Math.min(ltFirst, ltSecond);
                    out.printf(Locale.ROOT, "libtorrent 1 -> 1:      %6.2f s  %7.1f MiB/s  (best of %.2f s, %.2f s); Rhizome throughput = %.2fx libtorrent's (goal >= 1.0x)%n",
                            lt, size / lt / (1 << 20), ltFirst, ltSecond, lt / one);
                    out.flush();
                    ltMany = libtorrent(torrent, seedDir, work, leechers, options.uploadLimit());
                    out.printf(Locale.ROOT, "libtorrent 1 -> %d:      %6.2f s until all finished = %.2fx libtorrent's single time; Rhizome's %.2fx is %.2f times libtorrent's ratio%n",
                            leechers, ltMany, ltMany / lt, many / one, (many / one) / (ltMany / lt));
                } else if (options.libtorrent()) {
                    out.println("libtorrent reference skipped: /usr/bin/python3 cannot import libtorrent");
                }
                return new Result(size, one, many, leechers, lt, ltMany, pOne, pMany, hashCpu, procCpuPerGiB, swarmCpuPerGiB);
            }
        } finally {
            deleteTree(work);
        }
    }

    private static double transfer(Swarm seeder, TorrentBuilder.Created torrent, Path work, int n, Options options) throws Exception {
        List<Swarm> swarms = new ArrayList<>();
        List<TorrentSession> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                swarms.add(new Swarm(options.peerConfig(), List.of()).start());
            }
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                TorrentSession s = swarms.get(i).add(torrent.metainfo(), work.resolve("leech-" + n + "-" + i), null, null);
                s.addPeer(new PeerAddress("127.0.0.1", seeder.port()));
                for (int j = 0; j < i; j++) {
                    s.addPeer(new PeerAddress("127.0.0.1", swarms.get(j).port()));
                }
                sessions.add(s);
            }
            CompletableFuture.allOf(sessions.stream().map(TorrentSession::completion).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.MINUTES);
            return (System.nanoTime() - start) / 1e9;
        } finally {
            swarms.forEach(Swarm::close);
            for (int i = 0; i < n; i++) {
                deleteTree(work.resolve("leech-" + n + "-" + i));
            }
        }
    }

    /** The in-JVM seeder to {@code n} {@link LeecherProcess} JVMs; seconds until all finished. */
    private static ProcessSwarm.Outcome rhizomeProcesses(Swarm seeder, TorrentBuilder.Created torrent, Path work, int n, long uploadLimit)
            throws Exception {
        Path t = work.resolve("bench.torrent");
        Files.write(t, torrent.metainfo().encode());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<List<String>> commands = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path d = work.resolve("jvm-leech-" + i);
            dirs.add(d);
            commands.add(List.of(java, "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    LeecherProcess.MAIN, t.toString(), d.toString(), "1800", Long.toString(uploadLimit)));
        }
        try {
            return ProcessSwarm.run(commands, seeder.port(), work.resolve("jvm-leecher-logs"));
        } finally {
            for (Path d : dirs) {
                deleteTree(d);
            }
        }
    }

    /** One libtorrent seeder process to {@code n} libtorrent leecher processes; seconds until all finished. */
    private static double libtorrent(TorrentBuilder.Created torrent, Path seedDir, Path work, int n, long uploadLimit) throws Exception {
        Path t = work.resolve("bench.torrent");
        Files.write(t, torrent.metainfo().encode());
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            dirs.add(work.resolve("lt-leech-" + i));
        }
        try (LibtorrentPeer.Seeder seeder = LibtorrentPeer.seed(t, seedDir, uploadLimit)) {
            return LibtorrentPeer.swarm(t, dirs, seeder.port(), 1800, uploadLimit);
        } finally {
            for (Path d : dirs) {
                deleteTree(d);
            }
        }
    }

    private static long processCpu() {
        return ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class).getProcessCpuTime();
    }

    private static void writeRandom(Path file, long size) throws IOException {
        Files.createDirectories(file.getParent());
        SplittableRandom random = new SplittableRandom(size);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += buf.length) {
                for (int i = 0; i < buf.length; i += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8; k++) {
                        buf[i + k] = (byte) (v >>> (8 * k));
                    }
                }
                out.write(buf, 0, (int) Math.min(buf.length, size - done));
            }
        }
    }

    private static String gib(long n) {
        return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
