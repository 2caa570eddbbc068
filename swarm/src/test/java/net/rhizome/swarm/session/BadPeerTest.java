package net.rhizome.swarm.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadPeerTest {
    @TempDir
    Path dir;

    @Test
    void peerCorruptingOneBlockInTenIsBannedAndDownloadCompletesFromHonestSeeder() throws Exception {
        byte[] data = new byte[6_000_000];
        new Random(42).nextBytes(data);
        Path src = dir.resolve("seed/model.gguf");
        Files.createDirectories(src.getParent());
        Files.write(src, data);
        TorrentBuilder.Created torrent = TorrentBuilder.create(src, false, 256 * 1024);
        // the honest seeder is slow, so the corrupting peer gets asked for plenty of blocks
        try (CorruptingPeer evil = new CorruptingPeer(torrent, data);
             Swarm honest = new Swarm(SwarmConfig.loopback().withRates(3_000_000, 0), List.of()).start();
             Swarm leecher = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
            honest.add(torrent.metainfo(), src.getParent(), null, torrent.leafHashes());
            TorrentSession s = leecher.add(torrent.metainfo(), dir.resolve("leech"), dir.resolve("leech.resume"), null);
            s.addPeer(new PeerAddress("127.0.0.1", evil.port()));
            s.addPeer(new PeerAddress("127.0.0.1", honest.port()));
            s.completion().get(60, TimeUnit.SECONDS);
            assertThat(Files.readAllBytes(s.files().getFirst())).isEqualTo(data);
            assertThat(evil.corrupted.get()).isPositive();
            assertThat(s.bannedPeers()).contains("127.0.0.1:" + evil.port());
            assertThat(s.bannedPeers()).doesNotContain("127.0.0.1:" + honest.port());
        }
    }
}
