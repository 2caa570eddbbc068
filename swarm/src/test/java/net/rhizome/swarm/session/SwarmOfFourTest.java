package net.rhizome.swarm.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.metainfo.Magnet;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One seeder, three leechers fetching by magnet link at once; they find each other by PEX and trade pieces. */
class SwarmOfFourTest {
    @TempDir
    Path dir;

    @Test
    void threeLeechersCompleteWithIdenticalFilesAndUploadToEachOther() throws Exception {
        byte[] data = new byte[24 * 1024 * 1024 + 777];
        new Random(7).nextBytes(data);
        Path src = dir.resolve("seed/model.gguf");
        Files.createDirectories(src.getParent());
        Files.write(src, data);
        TorrentBuilder.Created torrent = TorrentBuilder.create(src, false, 0);
        List<Swarm> swarms = new ArrayList<>();
        try {
            // a capped seeder makes the leechers depend on each other, as in a real swarm
            Swarm seeder = new Swarm(SwarmConfig.loopback().withRates(5_000_000, 0), List.of()).start();
            swarms.add(seeder);
            seeder.add(torrent.metainfo(), src.getParent(), null, torrent.leafHashes());
            Magnet magnet = torrent.metainfo().magnet().withPeers(List.of(new PeerAddress("127.0.0.1", seeder.port())));
            List<TorrentSession> leechers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Swarm s = new Swarm(SwarmConfig.loopback(), List.of()).start();
                swarms.add(s);
                leechers.add(s.add(Magnet.parse(magnet.toString()), dir.resolve("leech" + i), dir.resolve("leech" + i + ".resume")));
            }
            CompletableFuture.allOf(leechers.stream().map(TorrentSession::completion).toArray(CompletableFuture[]::new))
                    .get(120, TimeUnit.SECONDS);
            byte[] expected = Hashes.sha256(data);
            for (TorrentSession l : leechers) {
                assertThat(Hashes.sha256(Files.readAllBytes(l.files().getFirst()))).isEqualTo(expected);
            }
            long fromSeeder = seeder.torrents().getFirst().uploadedBytes();
            long leecherUploads = leechers.stream().mapToLong(TorrentSession::uploadedBytes).sum();
            assertThat(leecherUploads).as("bytes leechers uploaded to each other").isPositive();
            assertThat(leechers.stream().filter(l -> l.uploadedBytes() > 0).count()).as("leechers that uploaded").isGreaterThanOrEqualTo(2);
            assertThat(fromSeeder).as("the seeder did not have to send three full copies").isLessThan(3L * data.length);
            assertThat(fromSeeder + leecherUploads).isGreaterThanOrEqualTo(3L * data.length);
        } finally {
            swarms.forEach(Swarm::close);
        }
    }
}
