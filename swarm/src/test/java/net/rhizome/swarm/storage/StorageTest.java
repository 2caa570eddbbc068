package net.rhizome.swarm.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Random;
import net.rhizome.swarm.metainfo.InfoDict;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageTest {
    @TempDir
    Path dir;

    @Test
    void writesPiecesInPlaceAcrossFilesAndReadsThemBack() throws Exception {
        Path src = dir.resolve("src/model");
        Files.createDirectories(src.resolve("sub"));
        byte[] a = new byte[100_000];
        byte[] b = new byte[40_000];
        new Random(1).nextBytes(a);
        new Random(2).nextBytes(b);
        Files.write(src.resolve("a.bin"), a);
        Files.write(src.resolve("sub/b.bin"), b);
        InfoDict info = TorrentBuilder.create(src, true, 32 * 1024).metainfo().info();
        assertThat(info.pieceCount()).isEqualTo(4 + 2);
        try (Storage s = Storage.open(dir.resolve("store"), info)) {
            for (int p = 0; p < info.pieceCount(); p++) {
                Path from = p < 4 ? src.resolve("a.bin") : src.resolve("sub/b.bin");
                int local = p < 4 ? p : p - 4;
                byte[] all = Files.readAllBytes(from);
                s.writePiece(p, java.util.Arrays.copyOfRange(all, local * 32768, Math.min(all.length, (local + 1) * 32768)));
            }
            s.sync();
            assertThat(s.read(5, 100, 10)).isEqualTo(java.util.Arrays.copyOfRange(b, 32768 + 100, 32768 + 110));
        }
        assertThat(Files.readAllBytes(dir.resolve("store/model/a.bin"))).isEqualTo(a);
        assertThat(Files.readAllBytes(dir.resolve("store/model/sub/b.bin"))).isEqualTo(b);
    }

    @Test
    void refusesATorrentLargerThanTheFreeSpaceBeforeCreatingAnyFile() {
        long fourTiB = 4L << 40;
        byte[] raw = net.rhizome.core.bencode.Bencode.encode(net.rhizome.core.bencode.BValue.dict(
                "file tree", net.rhizome.core.bencode.BValue.dict("huge.gguf", net.rhizome.core.bencode.BValue.dict("",
                        net.rhizome.core.bencode.BValue.dict("length", net.rhizome.core.bencode.BValue.integer(fourTiB),
                                "pieces root", net.rhizome.core.bencode.BValue.bytes(new byte[32])))),
                "meta version", net.rhizome.core.bencode.BValue.integer(2),
                "name", net.rhizome.core.bencode.BValue.string("huge.gguf"),
                "piece length", net.rhizome.core.bencode.BValue.integer(64 << 20)));
        InfoDict info = InfoDict.parse(raw);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Storage.open(dir.resolve("store"), info))
                .isInstanceOf(StorageException.class).hasMessageContaining("not enough free space");
        assertThat(dir.resolve("store/huge.gguf")).doesNotExist();
    }

    @Test
    void resumeStateRoundTripsAndRejectsOtherTorrentsAndDamage() throws Exception {
        Path f = dir.resolve("r.resume");
        byte[] hash = new byte[32];
        hash[0] = 9;
        BitSet have = new BitSet();
        have.set(0);
        have.set(17);
        ResumeState.save(f, hash, 20, have);
        assertThat(ResumeState.load(f, hash, 20)).contains(have);
        assertThat(ResumeState.load(f, new byte[32], 20)).isEmpty();
        assertThat(ResumeState.load(f, hash, 21)).isEmpty();
        byte[] raw = Files.readAllBytes(f);
        raw[raw.length - 6] ^= 1;
        Files.write(f, raw);
        assertThat(ResumeState.load(f, hash, 20)).isEmpty();
    }
}
