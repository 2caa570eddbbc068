package net.rhizome.swarm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Leechers in separate processes (libtorrent's {@code lt_peer.py leech} or {@link LeecherProcess}),
 * all speaking the same line protocol: each prints {@code LISTEN <port>}, gets one line naming its
 * peers (the seeder and the leechers started before it), and prints {@code DONE <seconds> …}.
 */
final class ProcessSwarm {
    /** Wall-clock seconds from telling every leecher its peers until the last finished, and each {@code DONE} line. */
    record Outcome(double seconds, List<String> done) {}

    private ProcessSwarm() {}

    static Outcome run(List<List<String>> commands, int seederPort) throws IOException, InterruptedException {
        List<Process> leechers = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        try {
            List<String> peers = new ArrayList<>(List.of("127.0.0.1:" + seederPort));
            List<String> peerLines = new ArrayList<>();
            for (List<String> command : commands) {
                Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                leechers.add(p);
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                outputs.add(r);
                String line = r.readLine();
                if (line == null || !line.startsWith("LISTEN ")) {
                    throw new IOException("leecher process did not start (" + command.getLast() + "): " + line);
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
            for (BufferedReader r : outputs) {
                String line = r.readLine();
                if (line == null || !line.startsWith("DONE ")) {
                    throw new IOException("leecher process failed: " + line);
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
}
