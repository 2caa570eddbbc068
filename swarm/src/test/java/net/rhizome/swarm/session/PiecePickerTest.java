package net.rhizome.swarm.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.rhizome.swarm.metainfo.InfoDict;
import net.rhizome.swarm.metainfo.Merkle;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PiecePickerTest {
    private static final Object A = "peer A";
    private static final Object B = "peer B";

    @TempDir
    java.nio.file.Path dir;

    /** A two-piece torrent with 4 blocks per piece. */
    private InfoDict info() throws Exception {
        java.nio.file.Path f = dir.resolve("m.bin");
        java.nio.file.Files.write(f, new byte[8 * Merkle.BLOCK]);
        return TorrentBuilder.create(f, false, 4 * Merkle.BLOCK).metainfo().info();
    }

    private static BitSet all(InfoDict info) {
        BitSet b = new BitSet();
        b.set(0, info.pieceCount());
        return b;
    }

    @Test
    void handsOutEveryBlockOnceThenDuplicatesOnlyInEndgame() throws Exception {
        InfoDict info = info();
        PiecePicker picker = new PiecePicker(info, new BitSet(), info.pieceCount());
        picker.peerHas(all(info));
        Set<PiecePicker.Block> first = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            assertThat(first.add(picker.next(A, all(info), p -> true))).isTrue();
        }
        PiecePicker.Block dup = picker.next(B, all(info), p -> true);
        assertThat(first).contains(dup);
        assertThat(picker.next(A, all(info), p -> true)).as("A already asked for every block").isNull();
    }

    @Test
    void releasedAndUnreceivedBlocksAreOfferedAgainBeforeEndgame() throws Exception {
        InfoDict info = info();
        PiecePicker picker = new PiecePicker(info, new BitSet(), info.pieceCount());
        picker.peerHas(all(info));
        List<PiecePicker.Block> taken = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            taken.add(picker.next(A, all(info), p -> true));
        }
        PiecePicker.Block got = taken.getFirst();
        PiecePicker.Partial p = picker.partial(got.piece());
        p.markReceived(got.index());
        p.requesters.get(got.index()).clear();
        picker.release(A, taken.get(1));
        assertThat(picker.next(B, all(info), x -> true)).isEqualTo(taken.get(1));
        p.unreceive(got.index());
        assertThat(picker.next(B, all(info), x -> true)).isEqualTo(got);
        picker.release(A);
        assertThat(picker.next(B, all(info), x -> true)).as("A's requests were forgotten").isNotIn(got, taken.get(1)).isIn(taken);
    }
}
