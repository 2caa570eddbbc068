package net.rhizome.swarm.storage;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Optional;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.swarm.metainfo.FileEntry;
import net.rhizome.swarm.metainfo.Merkle;

/**
 * The BEP 52 Merkle tree of one file, filled in as hashes become known: the root from the info
 * dictionary, the piece layer from the torrent or from peers' hash messages, and block hashes
 * (leaves) per piece. Only hashes proven against the root are stored. Height 0 is the leaf layer.
 */
public final class FileHashTree {
    private final int height;
    private final int pieceHeight;
    private final long realBlocks;
    private final byte[][] nodes;
    private final BitSet[] known;

    public FileHashTree(FileEntry file, int pieceLength) {
        this.realBlocks = Merkle.blocks(file.length());
        long leaves = Merkle.ceilPow2(realBlocks);
        if (leaves > (1L << 26)) {
            throw new StorageException("file '" + file.displayPath() + "' is too large for an in-memory hash tree");
        }
        this.height = Merkle.log2(leaves);
        this.pieceHeight = Math.min(Merkle.log2(pieceLength / Merkle.BLOCK), height);
        this.nodes = new byte[height + 1][];
        this.known = new BitSet[height + 1];
        for (int h = 0; h <= height; h++) {
            int width = (int) (leaves >> h);
            nodes[h] = new byte[width * Merkle.HASH];
            known[h] = new BitSet(width);
            long firstPad = (realBlocks + (1L << h) - 1) >> h;
            byte[] pad = Merkle.pad(h);
            for (long i = firstPad; i < width; i++) {
                System.arraycopy(pad, 0, nodes[h], (int) i * Merkle.HASH, Merkle.HASH);
                known[h].set((int) i);
            }
        }
        set(height, 0, file.piecesRoot());
    }

    public int height() {
        return height;
    }

    /** Height of the piece layer (lower for a file that fits in one piece: then it is the root). */
    public int pieceHeight() {
        return pieceHeight;
    }

    public int width(int h) {
        return nodes[h].length / Merkle.HASH;
    }

    public synchronized boolean known(int h, long i) {
        return h >= 0 && h <= height && i >= 0 && i < width(h) && known[h].get((int) i);
    }

    public synchronized byte[] node(int h, int i) {
        if (!known[h].get(i)) {
            return null;
        }
        return Arrays.copyOfRange(nodes[h], i * Merkle.HASH, (i + 1) * Merkle.HASH);
    }

    private void set(int h, int i, byte[] hash) {
        System.arraycopy(hash, 0, nodes[h], i * Merkle.HASH, Merkle.HASH);
        known[h].set(i);
    }

    public synchronized boolean hasPieceLayer() {
        int w = width(pieceHeight);
        return known[pieceHeight].nextClearBit(0) >= w;
    }

    /** Whether the block hashes of piece {@code p} (index within this file) are known. */
    public synchronized boolean hasLeaves(int p) {
        int per = 1 << pieceHeight;
        int from = p * per;
        return known[0].nextClearBit(from) >= Math.min(from + per, width(0));
    }

    /** The expected hash of block {@code b} of this file, or {@code null} when not yet known. */
    public synchronized byte[] leaf(long b) {
        return known(0, b) ? node(0, (int) b) : null;
    }

    /** Fills in a whole piece layer that was already checked against the root (from a torrent file). */
    public synchronized void setPieceLayer(byte[] layer) {
        int count = layer.length / Merkle.HASH;
        for (int i = 0; i < count; i++) {
            set(pieceHeight, i, Arrays.copyOfRange(layer, i * Merkle.HASH, (i + 1) * Merkle.HASH));
        }
        fillUp(pieceHeight, 0, width(pieceHeight));
    }

    /** Recomputes parents above {@code [from, to)} of layer {@code h} where both children are known. */
    private void fillUp(int h, int from, int to) {
        MessageDigest md = Hashes.sha256Digest();
        for (int level = h; level < height; level++) {
            int pf = from / 2;
            int pt = (to + 1) / 2;
            for (int p = pf; p < pt; p++) {
                if (!known[level + 1].get(p) && known[level].get(2 * p) && known[level].get(2 * p + 1)) {
                    set(level + 1, p, Merkle.parent(md, node(level, 2 * p), node(level, 2 * p + 1)));
                }
            }
            from = pf;
            to = pt;
        }
    }

    /**
     * Accepts the block hashes of piece {@code p} if they hash to the known piece node; the hashes
     * are {@code 32 * blocks} bytes for the piece's real blocks (padding leaves are implied).
     */
    public synchronized boolean offerPieceLeaves(int p, byte[] leaves) {
        int per = 1 << pieceHeight;
        if (!known[pieceHeight].get(p)) {
            return false;
        }
        int realInPiece = (int) Math.min(per, realBlocks - (long) p * per);
        if (leaves.length != realInPiece * Merkle.HASH) {
            return false;
        }
        byte[] root = Merkle.root(leaves, 0, per);
        if (!Arrays.equals(root, node(pieceHeight, p))) {
            return false;
        }
        for (int i = 0; i < realInPiece; i++) {
            set(0, p * per + i, Arrays.copyOfRange(leaves, i * Merkle.HASH, (i + 1) * Merkle.HASH));
        }
        fillUp(0, p * per, p * per + per);
        return true;
    }

    /**
     * Checks a BEP 52 hashes message: {@code count} (a power of two) nodes of layer {@code base}
     * starting at {@code index}, then the uncle hashes proving their subtree against a node already
     * known. Stores the nodes if the proof holds.
     */
    public synchronized boolean offerHashes(int base, int index, int count, int proofLayers, byte[] hashes) {
        if (base < 0 || base > height || count <= 0 || Integer.bitCount(count) != 1 || index % count != 0
                || index < 0 || (long) index + count > width(base) || proofLayers < 0 || proofLayers >= height - base + 1) {
            return false;
        }
        int c = Merkle.log2(count);
        int uncles = Math.max(0, proofLayers - c + 1);
        if (hashes.length != (count + uncles) * Merkle.HASH || base + c + uncles > height) {
            return false;
        }
        byte[] sub = Merkle.root(Arrays.copyOf(hashes, count * Merkle.HASH), base, count);
        MessageDigest md = Hashes.sha256Digest();
        int h = base + c;
        int idx = index >> c;
        byte[] node = sub;
        for (int u = 0; u < uncles; u++) {
            byte[] uncle = Arrays.copyOfRange(hashes, (count + u) * Merkle.HASH, (count + u + 1) * Merkle.HASH);
            node = (idx & 1) == 0 ? Merkle.parent(md, node, uncle) : Merkle.parent(md, uncle, node);
            idx >>= 1;
            h++;
        }
        byte[] anchor = node(h, idx);
        if (anchor == null || !Arrays.equals(anchor, node)) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            set(base, index + i, Arrays.copyOfRange(hashes, i * Merkle.HASH, (i + 1) * Merkle.HASH));
        }
        fillUp(base, index, index + count);
        return true;
    }

    /** Builds the answer to a hash request, or empty if the request is invalid or we lack a hash. */
    public synchronized Optional<byte[]> hashes(int base, int index, int count, int proofLayers) {
        if (base < 0 || base > height || index < 0 || count <= 0 || count > 8192 || proofLayers < 0
                || (long) index + count > width(base) || proofLayers >= height - base + 1) {
            return Optional.empty();
        }
        int c = Merkle.log2(Merkle.ceilPow2(count));
        int uncles = Math.max(0, proofLayers - c + 1);
        if (base + c + uncles > height) {
            return Optional.empty();
        }
        byte[] out = new byte[(count + uncles) * Merkle.HASH];
        for (int i = 0; i < count; i++) {
            if (!known[base].get(index + i)) {
                return Optional.empty();
            }
            System.arraycopy(nodes[base], (index + i) * Merkle.HASH, out, i * Merkle.HASH, Merkle.HASH);
        }
        int h = base + c;
        int idx = index >> c;
        for (int u = 0; u < uncles; u++) {
            int sibling = idx ^ 1;
            if (!known[h].get(sibling)) {
                return Optional.empty();
            }
            System.arraycopy(nodes[h], sibling * Merkle.HASH, out, (count + u) * Merkle.HASH, Merkle.HASH);
            idx >>= 1;
            h++;
        }
        return Optional.of(out);
    }
}
