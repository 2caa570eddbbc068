package net.rhizome.swarm.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.metainfo.Magnet;
import net.rhizome.swarm.metainfo.Metainfo;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import net.rhizome.swarm.bench.LibtorrentPeer;
import net.rhizome.swarm.testing.Libtorrent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Rhizome and a real libtorrent 2.0 peer exchange v2 and hybrid torrents over loopback, both directions. */
class LibtorrentInteropTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void libtorrent() {
        Libtorrent.assumeAvailable();
    }

    private Path model(int size) throws Exception {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        Path f = src.resolve("model.gguf");
        Files.write(f, b);
        return f;
    }

    @ParameterizedTest(name = "hybrid={0}")
    @ValueSource(booleans = {false, true})
    void rhizomeDownloadsFromLibtorrentSeederByTorrentAndByMagnet(boolean hybrid) throws Exception {
        Path f = model(5_000_000 + 123);
        Path torrent = dir.resolve("lt.torrent");
        LibtorrentPeer.create(f, torrent, hybrid, 256 * 1024);
        Metainfo meta = Metainfo.parse(Files.readAllBytes(torrent));
        assertThat(meta.info().hybrid()).isEqualTo(hybrid);
        try (LibtorrentPeer.Seeder seeder = LibtorrentPeer.seed(torrent, f.getParent(), 0);
             Swarm swarm = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
            TorrentSession byFile = swarm.add(meta, dir.resolve("by-file"), dir.resolve("by-file.resume"), null);
            byFile.addPeer(new PeerAddress("127.0.0.1", seeder.port()));
            byFile.completion().get(60, TimeUnit.SECONDS);
            assertThat(Hashes.sha256(Files.readAllBytes(byFile.files().getFirst()))).isEqualTo(Hashes.sha256(Files.readAllBytes(f)));
            swarm.remove(byFile);

            Magnet magnet = Magnet.parse(meta.magnet().toString()).withPeers(List.of(new PeerAddress("127.0.0.1", seeder.port())));
            TorrentSession byMagnet = swarm.add(magnet, dir.resolve("by-magnet"), dir.resolve("by-magnet.resume"));
            byMagnet.completion().get(60, TimeUnit.SECONDS);
            assertThat(Hashes.sha256(Files.readAllBytes(byMagnet.files().getFirst()))).isEqualTo(Hashes.sha256(Files.readAllBytes(f)));
            assertThat(byMagnet.metainfo().encode()).isEqualTo(Metainfo.of(meta.info(),
                    List.of(meta.pieceLayer(0))).encode());
        }
    }

    @ParameterizedTest(name = "hybrid={0}")
    @ValueSource(booleans = {false, true})
    void libtorrentDownloadsFromRhizomeSeederByTorrentAndByMagnet(boolean hybrid) throws Exception {
        Path f = model(4_000_000 + 7);
        TorrentBuilder.Created created = TorrentBuilder.create(f, hybrid, 128 * 1024);
        Path torrent = dir.resolve("ours.torrent");
        Files.write(torrent, created.metainfo().encode());
        try (Swarm swarm = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
            swarm.add(created.metainfo(), f.getParent(), null, created.leafHashes());
            LibtorrentPeer.get(torrent.toString(), dir.resolve("lt-file"), swarm.port(), 60);
            assertThat(Files.readAllBytes(dir.resolve("lt-file/model.gguf"))).isEqualTo(Files.readAllBytes(f));
            LibtorrentPeer.get(created.metainfo().magnet().toString(), dir.resolve("lt-magnet"), swarm.port(), 60);
            assertThat(Files.readAllBytes(dir.resolve("lt-magnet/model.gguf"))).isEqualTo(Files.readAllBytes(f));
        }
    }
}
