package net.rhizome.swarm.metainfo;

import java.util.Arrays;
import java.util.List;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.core.util.Hex;

/**
 * A validated BEP 52 info dictionary (v2, or hybrid v1+v2) together with its exact bencoded bytes,
 * from which both info-hashes are taken. Pieces are numbered across files, each file starting on a
 * piece boundary; {@link #pieceSize} excludes v1 padding, since pad bytes are never transferred.
 */
public final class InfoDict {
    private final byte[] raw;
    private final byte[] infoHashV2;
    private final byte[] infoHashV1;
    private final String name;
    private final int pieceLength;
    private final List<FileEntry> files;
    private final int pieceCount;
    private final byte[] v1Pieces;
    private final List<FileEntry> dataFiles;
    private final int[] starts;
    /** For each of {@link #dataFiles}, its index in {@link #files}. */
    private final int[] dataFileIndex;

    InfoDict(byte[] raw, String name, int pieceLength, List<FileEntry> files, int pieceCount, byte[] v1Pieces) {
        this.raw = raw.clone();
        this.infoHashV2 = Hashes.sha256(raw);
        this.infoHashV1 = v1Pieces == null ? null : Hashes.sha1(raw);
        this.name = name;
        this.pieceLength = pieceLength;
        this.files = List.copyOf(files);
        this.pieceCount = pieceCount;
        this.v1Pieces = v1Pieces == null ? null : v1Pieces.clone();
        this.dataFiles = this.files.stream().filter(f -> f.length() > 0).toList();
        this.starts = dataFiles.stream().mapToInt(FileEntry::firstPiece).toArray();
        this.dataFileIndex = java.util.stream.IntStream.range(0, this.files.size()).filter(i -> this.files.get(i).length() > 0).toArray();
    }

    /** Parses and validates the bencoded bytes of an info dictionary (e.g. received via BEP 9). */
    public static InfoDict parse(byte[] raw) {
        return InfoParser.parse(raw);
    }

    public byte[] raw() {
        return raw.clone();
    }

    public int rawLength() {
        return raw.length;
    }

    public byte[] infoHashV2() {
        return infoHashV2.clone();
    }

    /** The v1 info-hash (SHA-1) for hybrid torrents; {@code null} for pure v2 torrents. */
    public byte[] infoHashV1() {
        return infoHashV1 == null ? null : infoHashV1.clone();
    }

    public boolean hybrid() {
        return infoHashV1 != null;
    }

    /** The model id: the v2 info-hash in lower-case hex. */
    public String id() {
        return Hex.encode(infoHashV2);
    }

    /** The first 20 bytes of the v2 info-hash, which is what v2 peers put in the handshake (BEP 52). */
    public byte[] truncatedV2() {
        return Arrays.copyOf(infoHashV2, 20);
    }

    public String name() {
        return name;
    }

    public int pieceLength() {
        return pieceLength;
    }

    public List<FileEntry> files() {
        return files;
    }

    public int pieceCount() {
        return pieceCount;
    }

    public long totalLength() {
        return files.stream().mapToLong(FileEntry::length).sum();
    }

    public byte[] v1Pieces() {
        return v1Pieces == null ? null : v1Pieces.clone();
    }

    /** The file holding piece {@code piece}. */
    public FileEntry fileOf(int piece) {
        return dataFiles.get(dataFileOf(piece));
    }

    /** The index in {@link #files} of the file holding piece {@code piece}. */
    public int fileIndexOf(int piece) {
        return dataFileIndex[dataFileOf(piece)];
    }

    private int dataFileOf(int piece) {
        if (piece < 0 || piece >= pieceCount) {
            throw new IndexOutOfBoundsException("piece " + piece + " of " + pieceCount);
        }
        if (starts.length == 1) {
            return 0;
        }
        int i = Arrays.binarySearch(starts, piece);
        return i >= 0 ? i : -i - 2;
    }

    /** Bytes of data in piece {@code piece}: the piece length, or less for the last piece of a file. */
    public int pieceSize(int piece) {
        FileEntry f = fileOf(piece);
        long offset = (long) (piece - f.firstPiece()) * pieceLength;
        return (int) Math.min(pieceLength, f.length() - offset);
    }

    public int blocksIn(int piece) {
        return (int) Merkle.blocks(pieceSize(piece));
    }
}
