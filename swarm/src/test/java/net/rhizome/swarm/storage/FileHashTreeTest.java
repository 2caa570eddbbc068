package net.rhizome.swarm.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import net.rhizome.swarm.metainfo.FileEntry;
import net.rhizome.swarm.metainfo.Metainfo;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileHashTreeTest {
    @TempDir
    Path dir;
    TorrentBuilder.Created created;
    FileEntry file;
    int pieceLength = 64 * 1024;

    @BeforeEach
    void torrent() throws Exception {
        byte[] b = new byte[1_300_000];
        new Random(3).nextBytes(b);
        Path f = dir.resolve("m.bin");
        Files.write(f, b);
        created = TorrentBuilder.create(f, false, pieceLength);
        file = created.metainfo().info().files().getFirst();
    }

    private FileHashTree seederTree() {
        FileHashTree t = new FileHashTree(file, pieceLength);
        t.setPieceLayer(created.metainfo().pieceLayer(0));
        byte[] leaves = created.leafHashes().getFirst();
        for (int p = 0; p < file.pieceCount(pieceLength); p++) {
            int from = p * 4 * 32;
            assertThat(t.offerPieceLeaves(p, Arrays.copyOfRange(leaves, from, Math.min(leaves.length, from + 4 * 32)))).isTrue();
        }
        return t;
    }

    @Test
    void pieceLayerWithProofsTravelsFromSeederToMagnetLeecher() {
        FileHashTree seeder = seederTree();
        FileHashTree leecher = new FileHashTree(file, pieceLength);
        assertThat(leecher.hasPieceLayer()).isFalse();
        int h = leecher.pieceHeight();
        // 20 pieces in a layer of width 32: two chunks of 16, each proven with one uncle
        for (int index = 0; index < 32; index += 16) {
            int proof = leecher.height() - h - 1;
            byte[] hashes = seeder.hashes(h, index, 16, proof).orElseThrow();
            assertThat(hashes).hasSize((16 + 1) * 32);
            assertThat(leecher.offerHashes(h, index, 16, proof, hashes)).isTrue();
        }
        assertThat(leecher.hasPieceLayer()).isTrue();
        for (int p = 0; p < 20; p++) {
            assertThat(leecher.node(h, p)).isEqualTo(seeder.node(h, p));
        }
    }

    @Test
    void blockHashesOfOnePieceVerifyAgainstThePieceLayerAndForgeriesFail() {
        FileHashTree seeder = seederTree();
        FileHashTree leecher = new FileHashTree(file, pieceLength);
        leecher.setPieceLayer(created.metainfo().pieceLayer(0));
        byte[] leaves = seeder.hashes(0, 8, 4, 1).orElseThrow();
        byte[] forged = leaves.clone();
        forged[40] ^= 1;
        assertThat(leecher.offerHashes(0, 8, 4, 1, forged)).isFalse();
        assertThat(leecher.leaf(9)).isNull();
        assertThat(leecher.offerHashes(0, 8, 4, 1, leaves)).isTrue();
        assertThat(leecher.leaf(9)).isEqualTo(seeder.leaf(9));
        assertThat(leecher.hasLeaves(2)).isTrue();
    }

    @Test
    void refusesRequestsOutsideTheTreeOrForUnknownHashes() {
        FileHashTree partial = new FileHashTree(file, pieceLength);
        assertThat(partial.hashes(0, 0, 4, 1)).isEmpty();
        FileHashTree seeder = seederTree();
        assertThat(seeder.hashes(0, 126, 4, 1)).isEmpty();
        assertThat(seeder.hashes(40, 0, 1, 0)).isEmpty();
        assertThat(seeder.hashes(0, 0, 4, 99)).isEmpty();
        assertThat(Metainfo.parse(created.metainfo().encode()).pieceLayer(0)).isEqualTo(created.metainfo().pieceLayer(0));
    }
}
