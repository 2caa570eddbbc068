package net.rhizome.swarm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark runs end to end on a small size and cleans up after itself (no timing assertions). */
class SwarmBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void runsAllTransfersAndDeletesItsData() throws Exception {
        StringWriter text = new StringWriter();
        Path work = dir.resolve("bench");
        SwarmBenchmark.Result r = SwarmBenchmark.run(work, 8L << 20, 3, new SwarmBenchmark.Options(false, false, 0), new PrintWriter(text, true));
        assertThat(r.oneToOne()).isPositive();
        assertThat(r.oneToMany()).isPositive();
        assertThat(text.toString()).contains("1 seeder -> 1 leecher").contains("1 seeder -> 3 leechers");
        assertThat(Files.exists(work)).isFalse();
    }

    @Test
    void measuresLibtorrentDoingTheSameTransfersInSeparateProcesses() throws Exception {
        net.rhizome.swarm.testing.Libtorrent.assumeAvailable();
        StringWriter text = new StringWriter();
        Path work = dir.resolve("bench-lt");
        // with every peer's upload limited, as the benchmark runs to let uplinks rather than CPUs bound the transfers
        SwarmBenchmark.Result r = SwarmBenchmark.run(work, 4L << 20, 2, new SwarmBenchmark.Options(true, false, 16L << 20), new PrintWriter(text, true));
        assertThat(text.toString()).contains("every peer's upload limited to 16.0 MiB/s");
        assertThat(r.libtorrent()).isPositive();
        assertThat(r.libtorrentOneToMany()).isPositive();
        assertThat(text.toString()).contains("libtorrent 1 -> 1:").contains("libtorrent 1 -> 2:");
        assertThat(Files.exists(work)).isFalse();
    }

    @Test
    void runsRhizomeLeechersInTheirOwnJvms() throws Exception {
        StringWriter text = new StringWriter();
        Path work = dir.resolve("bench-jvm");
        SwarmBenchmark.Result r = SwarmBenchmark.run(work, 4L << 20, 2, new SwarmBenchmark.Options(false, true, 0), new PrintWriter(text, true));
        assertThat(r.processOneToOne()).isPositive();
        assertThat(r.processOneToMany()).isPositive();
        assertThat(text.toString()).contains("1 seeder -> 1 leecher JVM:").contains("1 seeder -> 2 leecher JVMs:");
        assertThat(Files.exists(work)).isFalse();
    }
}
