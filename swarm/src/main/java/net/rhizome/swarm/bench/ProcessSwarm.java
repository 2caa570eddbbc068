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

/**
 * Leechers in separate processes (libtorrent's {@code lt_peer.py leech} or {@link LeecherProcess}),
 * all speaking the same line protocol: each prints {@code LISTEN <port>}, gets one line naming its
 * peers (the seeder and the leechers started before it), and prints {@code DONE <seconds> …}.
 * Each leecher's stderr goes to {@code leecher-<i>.log} in the log directory and is quoted when it fails.
 */
final class ProcessSwarm {
    /** Wall-clock seconds from telling every leecher its peers until the last finished, and each {@code DONE} line. */
    record Outcome(double seconds, List<String> done) {}

    private static final int TAIL_LINES = 20;

    private ProcessSwarm() {}

    static Outcome run(List<List<String>> commands, int seederPort, Path logDir) throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        List<Process> leechers = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        try {
            List<String> peers = new ArrayList<>(List.of("127.0.0.1:" + seederPort));
            List<String> peerLines = new ArrayList<>();
            for (List<String> command : commands) {
                Path log = logDir.resolve("leecher-" + leechers.size() + ".log");
                logs.add(log);
                Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
                leechers.add(p);
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                outputs.add(r);
                String line = r.readLine();
                if (line == null || !line.startsWith("LISTEN ")) {
                    throw new IOException("leecher process did not start (" + command.getLast() + "): " + line + tail(log));
                }
                peerLines.add(String.join(",", peers));
                peers.add("127.0.0.1:" + Integer.parseInt(line.substring(7).trim()));
            }
            long start = System.nanoTime();
            for (int i = 0; i < leechers.size(); i++) {
                var in = leechers.get(i).getOutputStream();
                in.write((peerLines.get(i) + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
            List<String> done = new ArrayList<>();
            for (int i = 0; i < outputs.size(); i++) {
                String line = outputs.get(i).readLine();
                if (line == null || !line.startsWith("DONE ")) {
                    throw new IOException("leecher process " + i + " failed: " + line + tail(logs.get(i)));
                }
                done.add(line);
            }
            return new Outcome((System.nanoTime() - start) / 1e9, done);
        } finally {
            for (Process p : leechers) {
                p.getOutputStream().close();
            }
            for (Process p : leechers) {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The last lines of a leecher's stderr, for an error message. */
    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        if (lines.isEmpty()) {
            return " (stderr empty)";
        }
        return "\n--- stderr of " + log.getFileName() + " ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    }
}
