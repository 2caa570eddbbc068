package net.rhizome.swarm.metainfo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.bencode.BValue.BBytes;
import net.rhizome.core.bencode.Bencode;
import net.rhizome.core.crypto.Hashes;

/** Creates BEP 52 torrents (v2, or hybrid v1+v2 with pad files) from a file or a directory. */
public final class TorrentBuilder {
    /** A new torrent and, per file, its 16 KiB block hashes (the Merkle leaves) so a seeder can answer hash requests. */
    public record Created(Metainfo metainfo, List<byte[]> leafHashes) {}

    private TorrentBuilder() {}

    /** Piece length aiming at roughly 1500 pieces, a power of two between 16 KiB and 16 MiB. */
    public static int choosePieceLength(long totalLength) {
        long target = Merkle.ceilPow2(Math.max(1, totalLength / 1500));
        return Math.clamp(target, Merkle.BLOCK, 16 << 20);
    }

    public static Created create(Path source, boolean hybrid) throws IOException {
        return create(source, hybrid, 0);
    }

    /** {@code pieceLength} 0 chooses one from the total size. */
    public static Created create(Path source, boolean hybrid, int pieceLength) throws IOException {
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("no such file or directory: " + source);
        }
        String name = PathNames.check(source.getFileName().toString(), "source name");
        List<List<String>> paths = new ArrayList<>();
        List<Path> sources = new ArrayList<>();
        boolean single = Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS);
        if (single) {
            paths.add(List.of(name));
            sources.add(source);
        } else {
            try (Stream<Path> walk = Files.walk(source)) {
                List<Path> found = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
                List<List<String>> rel = new ArrayList<>();
                for (Path p : found) {
                    List<String> parts = new ArrayList<>();
                    source.relativize(p).forEach(c -> parts.add(PathNames.check(c.toString(), "file name")));
                    rel.add(parts);
                }
                Integer[] order = new Integer[rel.size()];
                Arrays.setAll(order, i -> i);
                Arrays.sort(order, Comparator.comparing(rel::get, TorrentBuilder::comparePaths));
                for (int i : order) {
                    paths.add(rel.get(i));
                    sources.add(found.get(i));
                }
            }
            if (paths.isEmpty()) {
                throw new IOException("directory " + source + " holds no regular files");
            }
        }
        long total = 0;
        for (Path p : sources) {
            total += Files.size(p);
        }
        int pl = pieceLength == 0 ? choosePieceLength(total) : pieceLength;

        TreeMap<BBytes, BValue> tree = new TreeMap<>();
        List<BValue> v1Files = new ArrayList<>();
        java.io.ByteArrayOutputStream v1Pieces = new java.io.ByteArrayOutputStream();
        List<byte[]> leaves = new ArrayList<>();
        List<byte[]> layers = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            FileHashes h = hashFile(sources.get(i), pl, hybrid, single);
            leaves.add(h.leaves);
            BValue props = h.length == 0
                    ? BValue.dict("length", BValue.integer(0))
                    : BValue.dict("length", BValue.integer(h.length), "pieces root", BValue.bytes(h.root));
            insert(tree, paths.get(i), BValue.dict("", props));
            layers.add(h.length > pl ? h.pieceLayer : null);
            if (hybrid) {
                v1Pieces.writeBytes(h.sha1Pieces);
                v1Files.add(BValue.dict("length", BValue.integer(h.length), "path", pathList(paths.get(i))));
                long tail = h.length % pl;
                if (tail != 0) {
                    long pad = pl - tail;
                    v1Files.add(BValue.dict("attr", BValue.string("p"), "length", BValue.integer(pad),
                            "path", BValue.list(BValue.string(".pad"), BValue.string(Long.toString(pad)))));
                }
            }
        }
        TreeMap<BBytes, BValue> info = new TreeMap<>();
        info.put(BBytes.of("file tree"), BValue.dict(tree));
        info.put(BBytes.of("meta version"), BValue.integer(2));
        info.put(BBytes.of("name"), BValue.string(name));
        info.put(BBytes.of("piece length"), BValue.integer(pl));
        if (hybrid) {
            info.put(BBytes.of("pieces"), BValue.bytes(v1Pieces.toByteArray()));
            if (single) {
                info.put(BBytes.of("length"), BValue.integer(total));
            } else {
                info.put(BBytes.of("files"), new BValue.BList(v1Files));
            }
        }
        InfoDict parsed = InfoDict.parse(Bencode.encode(BValue.dict(info)));
        return new Created(Metainfo.of(parsed, layers), leaves);
    }

    private static BValue pathList(List<String> path) {
        return new BValue.BList(path.stream().map(s -> (BValue) BValue.string(s)).toList());
    }

    @SuppressWarnings("unchecked")
    private static void insert(TreeMap<BBytes, BValue> tree, List<String> path, BValue leaf) {
        if (path.size() == 1) {
            tree.put(BBytes.of(path.getFirst()), leaf);
            return;
        }
        BBytes key = BBytes.of(path.getFirst());
        TreeMap<BBytes, BValue> sub = tree.get(key) instanceof BValue.BDict d ? new TreeMap<>(d.entries()) : new TreeMap<>();
        insert(sub, path.subList(1, path.size()), leaf);
        tree.put(key, BValue.dict(sub));
    }

    static int comparePaths(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Arrays.compareUnsigned(a.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    b.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private record FileHashes(long length, byte[] leaves, byte[] root, byte[] pieceLayer, byte[] sha1Pieces) {}

    /**
     * One pass over the file: block hashes, piece layer and (hybrid) v1 SHA-1 piece hashes. In a
     * multi-file hybrid torrent every file, the last one too, is followed by a pad file up to the
     * next piece boundary (as libtorrent does), so its last v1 piece is hashed with zero padding.
     */
    private static FileHashes hashFile(Path path, int pl, boolean hybrid, boolean single) throws IOException {
        long length = Files.size(path);
        long blocks = Merkle.blocks(length);
        if (blocks > Integer.MAX_VALUE / Merkle.HASH) {
            throw new IOException(path + " is too large");
        }
        byte[] leaves = new byte[(int) blocks * Merkle.HASH];
        java.io.ByteArrayOutputStream sha1 = new java.io.ByteArrayOutputStream();
        MessageDigest sha256 = Hashes.sha256Digest();
        MessageDigest v1 = Hashes.sha1Digest();
        byte[] block = new byte[Merkle.BLOCK];
        long read = 0;
        int b = 0;
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 20)) {
            while (read < length) {
                int n = in.readNBytes(block, 0, (int) Math.min(Merkle.BLOCK, length - read));
                if (n <= 0) {
                    throw new IOException(path + " shrank while it was being hashed");
                }
                sha256.update(block, 0, n);
                System.arraycopy(sha256.digest(), 0, leaves, b++ * Merkle.HASH, Merkle.HASH);
                if (hybrid) {
                    v1.update(block, 0, n);
                }
                read += n;
                boolean pieceEnd = read % pl == 0 || read == length;
                if (hybrid && pieceEnd) {
                    if (read == length && read % pl != 0 && !single) {
                        v1.update(new byte[(int) (pl - read % pl)]);
                    }
                    sha1.writeBytes(v1.digest());
                }
            }
        }
        if (length == 0) {
            return new FileHashes(0, leaves, null, null, new byte[0]);
        }
        int bpp = pl / Merkle.BLOCK;
        long width = Merkle.ceilPow2(blocks);
        byte[] root;
        byte[] layer = null;
        if (length <= pl) {
            root = Merkle.root(leaves, 0, width);
        } else {
            int pieces = (int) ((length + pl - 1) / pl);
            layer = new byte[pieces * Merkle.HASH];
            for (int p = 0; p < pieces; p++) {
                int from = p * bpp * Merkle.HASH;
                int to = Math.min(leaves.length, from + bpp * Merkle.HASH);
                byte[] sub = Merkle.root(Arrays.copyOfRange(leaves, from, to), 0, bpp);
                System.arraycopy(sub, 0, layer, p * Merkle.HASH, Merkle.HASH);
            }
            root = Merkle.root(layer, Merkle.log2(bpp), width / bpp);
        }
        return new FileHashes(length, leaves, root, layer, sha1.toByteArray());
    }

}
