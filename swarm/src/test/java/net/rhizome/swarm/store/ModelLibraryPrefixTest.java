package net.rhizome.swarm.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.session.Swarm;
import net.rhizome.swarm.session.SwarmConfig;
import net.rhizome.swarm.session.TorrentSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model fetched in part: only the pieces holding its first bytes, kept as partial across restarts, then fetched whole. */
class ModelLibraryPrefixTest {
    @TempDir
    Path dir;

    @Test
    void firstBytesOnlyThenMoreThenAll() throws Exception {
        byte[] data = new byte[8_000_000];
        new Random(3).nextBytes(data);
        Path src = dir.resolve("big.gguf");
        Files.write(src, data);
        ModelStore storeB = new ModelStore(dir.resolve("b/models"));
        try (Swarm a = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
            ModelLibrary libA = new ModelLibrary(new ModelStore(dir.resolve("a/models")), a);
            String id = libA.add(src).id();
            List<PeerAddress> seed = List.of(new PeerAddress("127.0.0.1", a.port()));
            int pieceLength = libA.add(src).info().pieceLength();
            try (Swarm b = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
                ModelLibrary libB = new ModelLibrary(storeB, b);
                TorrentSession s = libB.fetchPrefix(id, seed, 1_000_000).get(60, TimeUnit.SECONDS);
                Path file = s.files().getFirst();
                long held = roundUp(1_000_000, pieceLength);
                assertThat(s.stats().verifiedBytes()).isEqualTo(held);
                assertPrefixOnDisk(file, data, held);
                assertThat(libB.info(id).state()).isEqualTo("partial");
                assertThat(s.completion()).isNotDone();
                assertThatThrownBy(() -> storeB.resolve(id)).isInstanceOf(IOException.class).hasMessageContaining("not completely downloaded");

                libB.fetchPrefix(id, seed, 3_000_000).get(60, TimeUnit.SECONDS);
                Thread.sleep(1500); // nothing past the prefix arrives meanwhile
                assertThat(s.stats().verifiedBytes()).isEqualTo(roundUp(3_000_000, pieceLength));
                assertPrefixOnDisk(file, data, roundUp(3_000_000, pieceLength));
            }
            try (Swarm b2 = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
                ModelLibrary again = new ModelLibrary(storeB, b2);
                again.resumeAll();
                assertThat(again.info(id).state()).as("waits for the metadata from a peer").isEqualTo("metadata");
                TorrentSession s = again.fetchPrefix(id, seed, 2_000_000).get(30, TimeUnit.SECONDS);
                assertThat(again.info(id).state()).as("still partial after a restart").isEqualTo("partial");
                assertThat(s.stats().verifiedBytes()).isEqualTo(roundUp(3_000_000, pieceLength));
                assertThat(s.downloadedBytes()).as("pieces restored from the resume state").isZero();

                again.fetch(id, seed).completion().get(60, TimeUnit.SECONDS);
                for (int i = 0; i < 100 && storeB.metainfo(id).isEmpty(); i++) {
                    Thread.sleep(50);
                }
                assertThat(storeB.resolve(id)).hasBinaryContent(data);
                assertThat(again.info(id).state()).isEqualTo("seeding");
                assertThat(storeB.dir(id).resolve("prefix")).doesNotExist();
            }
        }
    }

    private static long roundUp(long bytes, int pieceLength) {
        return (bytes + pieceLength - 1) / pieceLength * pieceLength;
    }

    private static void assertPrefixOnDisk(Path file, byte[] data, long held) throws IOException {
        byte[] disk = Files.readAllBytes(file);
        assertThat(disk.length).as("bytes written").isEqualTo(held);
        assertThat(disk).isEqualTo(Arrays.copyOf(data, (int) held));
    }
}
