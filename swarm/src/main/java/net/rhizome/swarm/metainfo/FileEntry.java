package net.rhizome.swarm.metainfo;

import java.util.List;

/**
 * One file of a torrent: its path components (already validated), its length and its Merkle root
 * ({@code null} for an empty file). {@code firstPiece} is the index of its first piece in the
 * torrent's piece space, where every file starts on a piece boundary (BEP 52).
 */
public record FileEntry(List<String> path, long length, byte[] piecesRoot, int firstPiece) {
    public FileEntry {
        path = List.copyOf(path);
        piecesRoot = piecesRoot == null ? null : piecesRoot.clone();
    }

    @Override
    public byte[] piecesRoot() {
        return piecesRoot == null ? null : piecesRoot.clone();
    }

    public int pieceCount(int pieceLength) {
        return (int) ((length + pieceLength - 1) / pieceLength);
    }

    public String displayPath() {
        return String.join("/", path);
    }
}
