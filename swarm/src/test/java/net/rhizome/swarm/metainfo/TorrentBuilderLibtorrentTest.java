package net.rhizome.swarm.metainfo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import net.rhizome.core.util.Hex;
import net.rhizome.swarm.bench.LibtorrentPeer;
import net.rhizome.swarm.testing.Libtorrent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our torrents must be bit-identical to libtorrent's for the same content and piece length. */
class TorrentBuilderLibtorrentTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void libtorrent() {
        Libtorrent.assumeAvailable();
    }

    private static void random(Path p, int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
    }

    @Test
    void singleFileV2AndHybridMatchLibtorrent() throws Exception {
        Path f = dir.resolve("model.bin");
        random(f, 3_000_000, 1);
        for (boolean hybrid : new boolean[] {false, true}) {
            List<String> lt = LibtorrentPeer.create(f, dir.resolve("lt.torrent"), hybrid, 65536);
            TorrentBuilder.Created ours = TorrentBuilder.create(f, hybrid, 65536);
            assertThat(ours.metainfo().info().id()).isEqualTo(lt.get(0));
            if (hybrid) {
                assertThat(Hex.encode(ours.metainfo().info().infoHashV1())).isEqualTo(lt.get(1));
            }
            Metainfo theirs = Metainfo.parse(Files.readAllBytes(dir.resolve("lt.torrent")));
            assertThat(theirs.info().id()).isEqualTo(lt.get(0));
            assertThat(theirs.pieceLayer(0)).isEqualTo(ours.metainfo().pieceLayer(0));
        }
    }

    @Test
    void multiFileV2AndHybridMatchLibtorrent() throws Exception {
        Path root = dir.resolve("weights");
        random(root.resolve("a.gguf"), 1_000_000, 2);
        random(root.resolve("small.json"), 100, 3);
        random(root.resolve("sub/exact.bin"), 65536, 4);
        random(root.resolve("sub/z.bin"), 200_001, 5);
        for (boolean hybrid : new boolean[] {false, true}) {
            List<String> lt = LibtorrentPeer.create(root, dir.resolve("lt.torrent"), hybrid, 65536);
            TorrentBuilder.Created ours = TorrentBuilder.create(root, hybrid, 65536);
            assertThat(ours.metainfo().info().id()).isEqualTo(lt.get(0));
            if (hybrid) {
                assertThat(Hex.encode(ours.metainfo().info().infoHashV1())).isEqualTo(lt.get(1));
            }
            Metainfo theirs = Metainfo.parse(Files.readAllBytes(dir.resolve("lt.torrent")));
            assertThat(theirs.info().files()).extracting(FileEntry::displayPath)
                    .containsExactly("weights/a.gguf", "weights/small.json", "weights/sub/exact.bin", "weights/sub/z.bin");
            assertThat(theirs.info().pieceCount()).isEqualTo(ours.metainfo().info().pieceCount());
        }
    }
}
