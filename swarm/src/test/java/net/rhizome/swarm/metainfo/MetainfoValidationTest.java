package net.rhizome.swarm.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BValue.BBytes;
import net.rhizome.core.bencode.Bencode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetainfoValidationTest {
    @TempDir
    Path dir;

    private Metainfo torrent(int size) throws Exception {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        Path f = dir.resolve("m.gguf");
        Files.write(f, b);
        return TorrentBuilder.create(f, false, 16384).metainfo();
    }

    private static byte[] info(String name, BValue tree) {
        return Bencode.encode(BValue.dict("file tree", tree, "meta version", BValue.integer(2),
                "name", BValue.string(name), "piece length", BValue.integer(16384)));
    }

    private static BValue file(String name, long length) {
        return BValue.dict(name, BValue.dict("", BValue.dict("length", BValue.integer(length),
                "pieces root", BValue.bytes(new byte[32]))));
    }

    @Test
    void roundTripsThroughTorrentFileAndMagnet() throws Exception {
        Metainfo m = torrent(100_000);
        Metainfo again = Metainfo.parse(m.encode());
        assertThat(again.info().id()).isEqualTo(m.info().id()).hasSize(64);
        assertThat(again.info().pieceCount()).isEqualTo(7);
        assertThat(again.info().pieceSize(6)).isEqualTo(100_000 - 6 * 16384);
        Magnet magnet = Magnet.parse(m.magnet().toString());
        assertThat(magnet.id()).isEqualTo(m.info().id());
        assertThat(m.magnet().toString()).startsWith("magnet:?xt=urn:btmh:1220" + m.info().id());
    }

    @Test
    void rejectsPieceLayerThatDoesNotHashToRoot() throws Exception {
        Metainfo m = torrent(100_000);
        byte[] layer = m.pieceLayer(0);
        layer[5] ^= 1;
        assertThatThrownBy(() -> Metainfo.of(m.info(), java.util.List.of(layer)))
                .isInstanceOf(MetainfoException.class).hasMessageContaining("does not hash to its pieces root");
        byte[] shortLayer = Arrays.copyOf(m.pieceLayer(0), 32 * 3);
        assertThatThrownBy(() -> Metainfo.of(m.info(), java.util.List.of(shortLayer)))
                .isInstanceOf(MetainfoException.class).hasMessageContaining("expected 224");
    }

    @Test
    void rejectsTorrentFileWithoutPieceLayers() throws Exception {
        Metainfo m = torrent(100_000);
        byte[] bad = Bencode.encode(BValue.dict("info", Bencode.decode(m.info().raw())));
        assertThatThrownBy(() -> Metainfo.parse(bad)).isInstanceOf(MetainfoException.class)
                .hasMessageContaining("piece layers name 0 roots");
    }

    @Test
    void rejectsDangerousNames() {
        for (String name : new String[] {"..", ".", "a/b", "c:\\x", "CON", "nul.txt", "x\u0001", "trail."}) {
            assertThatThrownBy(() -> InfoDict.parse(info("ok", file(name, 10))))
                    .as(name).isInstanceOf(MetainfoException.class);
        }
        assertThatThrownBy(() -> InfoDict.parse(info("..", file("a", 10)))).hasMessageContaining("parent");
    }

    @Test
    void rejectsBadSizesAndStructure() {
        assertThatThrownBy(() -> InfoDict.parse(info("t", file("a", -1)))).hasMessageContaining("negative length");
        assertThatThrownBy(() -> InfoDict.parse(info("t", file("a", 0)))).hasMessageContaining("no data");
        byte[] badPiece = Bencode.encode(BValue.dict("file tree", file("a", 1), "meta version", BValue.integer(2),
                "name", BValue.string("t"), "piece length", BValue.integer(20000)));
        assertThatThrownBy(() -> InfoDict.parse(badPiece)).hasMessageContaining("power of two");
        byte[] v1 = Bencode.encode(BValue.dict("file tree", file("a", 1), "meta version", BValue.integer(1),
                "name", BValue.string("t"), "piece length", BValue.integer(16384)));
        assertThatThrownBy(() -> InfoDict.parse(v1)).hasMessageContaining("meta version is 1");
        TreeMap<BBytes, BValue> hybrid = new TreeMap<>(((BValue.BDict) Bencode.decode(info("t", file("t", 20000)))).entries());
        hybrid.put(BBytes.of("pieces"), BValue.bytes(new byte[20]));
        hybrid.put(BBytes.of("length"), BValue.integer(20000));
        assertThatThrownBy(() -> InfoDict.parse(Bencode.encode(BValue.dict(hybrid))))
                .hasMessageContaining("v1 pieces lists 1 pieces, the v2 file tree needs 2");
    }

    @Test
    void rejectsBencodeBombs() {
        byte[] deep = ("d4:info" + "l".repeat(100_000) + "e".repeat(100_000) + "e").getBytes();
        assertThatThrownBy(() -> Metainfo.parse(deep)).isInstanceOf(MetainfoException.class).hasMessageContaining("nesting");
        byte[] huge = "d4:info99999999999:xe".getBytes();
        assertThatThrownBy(() -> Metainfo.parse(huge)).isInstanceOf(MetainfoException.class).hasMessageContaining("longer than the input");
    }

    @Test
    void rejectsBadMagnets() {
        assertThatThrownBy(() -> Magnet.parse("http://x")).hasMessageContaining("not a magnet");
        assertThatThrownBy(() -> Magnet.parse("magnet:?xt=urn:btih:" + "a".repeat(40))).hasMessageContaining("btmh");
        assertThatThrownBy(() -> Magnet.parse("magnet:?xt=urn:btmh:1220" + "zz".repeat(32))).hasMessageContaining("not hex");
        assertThatThrownBy(() -> Magnet.parse("magnet:?xt=urn:btmh:1114" + "aa".repeat(32))).hasMessageContaining("1220");
        assertThatThrownBy(() -> Magnet.parse("magnet:?xt=urn:btmh:1220" + "aa".repeat(32) + "&x.pe=host")).hasMessageContaining("HOST:PORT");
    }

    /** Fuzz-style: random bytes and mutated valid torrents give a MetainfoException or a valid torrent, nothing else. */
    @Property(tries = 400)
    void randomInputNeverEscapesAsAnythingButMetainfoException(@ForAll @Size(max = 600) byte[] junk, @ForAll int flip) throws Exception {
        parseQuietly(junk);
        byte[] base = SEED.clone();
        base[Math.floorMod(flip, base.length)] ^= (byte) (flip >>> 8 | 1);
        parseQuietly(base);
        parseQuietly(Arrays.copyOf(SEED, Math.floorMod(flip, SEED.length)));
    }

    private static final byte[] SEED = Bencode.encode(BValue.dict("info", BValue.dict("file tree",
            BValue.dict("a", BValue.dict("", BValue.dict("length", BValue.integer(5), "pieces root", BValue.bytes(new byte[32])))),
            "meta version", BValue.integer(2), "name", BValue.string("a"), "piece length", BValue.integer(16384))));

    private static void parseQuietly(byte[] data) {
        try {
            Metainfo.parse(data);
        } catch (MetainfoException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
