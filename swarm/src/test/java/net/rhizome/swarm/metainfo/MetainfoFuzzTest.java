package net.rhizome.swarm.metainfo;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Torrent files, info dictionaries and magnet links from strangers: a MetainfoException or a valid value, nothing else. */
class MetainfoFuzzTest {
    @FuzzTest
    void parseTorrent(byte[] data) {
        try {
            Metainfo m = Metainfo.parse(data);
            if (m.info().pieceCount() <= 0) {
                throw new AssertionError("parsed a torrent without pieces");
            }
        } catch (MetainfoException expected) {
            // rejected with a reason
        }
        try {
            InfoDict.parse(data);
        } catch (MetainfoException expected) {
            // rejected with a reason
        }
    }

    @FuzzTest
    void parseMagnet(byte[] data) {
        try {
            Magnet.parse(new String(data, java.nio.charset.StandardCharsets.UTF_8));
        } catch (MetainfoException expected) {
            // rejected with a reason
        }
    }
}
