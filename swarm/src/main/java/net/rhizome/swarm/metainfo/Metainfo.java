package net.rhizome.swarm.metainfo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BValue.BBytes;
import net.rhizome.core.bencode.BValue.BDict;
import net.rhizome.core.bencode.Bencode;
import net.rhizome.core.bencode.BencodeException;
import net.rhizome.core.util.Hex;

/**
 * A complete v2 torrent: the info dictionary plus the piece layers (BEP 52), which live outside the
 * info dictionary and are checked against each file's Merkle root.
 */
public final class Metainfo {
    public static final int MAX_TORRENT_BYTES = 64 << 20;
    private final InfoDict info;
    private final List<byte[]> pieceLayers;

    private Metainfo(InfoDict info, List<byte[]> pieceLayers) {
        this.info = info;
        this.pieceLayers = pieceLayers;
    }

    /** Combines an info dictionary with piece layers (one per file, {@code null} where a file needs none), validating them. */
    public static Metainfo of(InfoDict info, List<byte[]> layers) {
        if (layers.size() != info.files().size()) {
            throw new MetainfoException("expected piece layers for " + info.files().size() + " files, got " + layers.size());
        }
        List<byte[]> copy = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            FileEntry f = info.files().get(i);
            byte[] layer = layers.get(i);
            if (f.length() <= info.pieceLength()) {
                copy.add(null);
                continue;
            }
            if (layer == null) {
                throw new MetainfoException("piece layer missing for file '" + f.displayPath() + "'");
            }
            checkLayer(info, f, layer);
            copy.add(layer.clone());
        }
        return new Metainfo(info, Collections.unmodifiableList(copy));
    }

    /** Parses and validates a .torrent file. */
    public static Metainfo parse(byte[] torrent) {
        if (torrent.length > MAX_TORRENT_BYTES) {
            throw new MetainfoException("torrent file is " + torrent.length + " bytes, limit " + MAX_TORRENT_BYTES);
        }
        BDict top;
        int[] span;
        try {
            BValue v = Bencode.decode(torrent, new Bencode.Limits(48, 2_000_000));
            if (!(v instanceof BDict d)) {
                throw new MetainfoException("torrent file is not a dictionary");
            }
            top = d;
            span = Bencode.spanOf(torrent, "info");
        } catch (BencodeException e) {
            throw new MetainfoException("torrent file is not valid bencode: " + e.getMessage(), e);
        }
        InfoDict info = InfoDict.parse(Arrays.copyOfRange(torrent, span[0], span[1]));
        Map<String, byte[]> byRoot = new HashMap<>();
        BValue layersValue = top.entries().get(BBytes.of("piece layers"));
        if (layersValue != null) {
            if (!(layersValue instanceof BDict layers)) {
                throw new MetainfoException("piece layers is not a dictionary");
            }
            for (Map.Entry<BBytes, BValue> e : layers.entries().entrySet()) {
                if (e.getKey().length() != Merkle.HASH || !(e.getValue() instanceof BBytes b)) {
                    throw new MetainfoException("piece layers entry must map a 32-byte root to a byte string");
                }
                byRoot.put(Hex.encode(e.getKey().bytes()), b.bytes());
            }
        }
        List<byte[]> layers = new ArrayList<>();
        int used = 0;
        for (FileEntry f : info.files()) {
            byte[] layer = f.length() > info.pieceLength() ? byRoot.get(Hex.encode(f.piecesRoot())) : null;
            if (layer != null) {
                used++;
            }
            layers.add(layer);
        }
        long distinct = info.files().stream().filter(f -> f.length() > info.pieceLength())
                .map(f -> Hex.encode(f.piecesRoot())).distinct().count();
        if (byRoot.size() != distinct || used < distinct) {
            throw new MetainfoException("piece layers name " + byRoot.size() + " roots, the file tree needs " + distinct);
        }
        return of(info, layers);
    }

    private static void checkLayer(InfoDict info, FileEntry f, byte[] layer) {
        int pieces = f.pieceCount(info.pieceLength());
        if (layer.length != pieces * Merkle.HASH) {
            throw new MetainfoException("piece layer of '" + f.displayPath() + "' has " + layer.length
                    + " bytes, expected " + pieces * Merkle.HASH + " (" + pieces + " pieces)");
        }
        int bpp = info.pieceLength() / Merkle.BLOCK;
        long width = Merkle.ceilPow2(Merkle.blocks(f.length())) / bpp;
        byte[] root = Merkle.root(layer, Merkle.log2(bpp), width);
        if (!Arrays.equals(root, f.piecesRoot())) {
            throw new MetainfoException("piece layer of '" + f.displayPath() + "' does not hash to its pieces root");
        }
    }

    public InfoDict info() {
        return info;
    }

    /** The piece layer of file {@code fileIndex}, or {@code null} when the file fits in one piece. */
    public byte[] pieceLayer(int fileIndex) {
        byte[] l = pieceLayers.get(fileIndex);
        return l == null ? null : l.clone();
    }

    /** The .torrent file bytes: the info dictionary exactly as hashed, then the piece layers. */
    public byte[] encode() {
        TreeMap<BBytes, BValue> layers = new TreeMap<>();
        for (int i = 0; i < info.files().size(); i++) {
            byte[] l = pieceLayers.get(i);
            if (l != null) {
                layers.put(BBytes.of(info.files().get(i).piecesRoot()), BBytes.of(l));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('d');
        out.writeBytes("4:info".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(info.raw());
        out.writeBytes("12:piece layers".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(Bencode.encode(BValue.dict(layers)));
        out.write('e');
        return out.toByteArray();
    }

    public Magnet magnet() {
        return new Magnet(info.infoHashV2(), info.infoHashV1(), info.name(), List.of());
    }
}
