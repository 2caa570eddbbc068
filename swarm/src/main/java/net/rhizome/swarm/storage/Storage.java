package net.rhizome.swarm.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import net.rhizome.swarm.metainfo.FileEntry;
import net.rhizome.swarm.metainfo.InfoDict;

/**
 * A torrent's files written in place under a store directory. Every path is resolved from
 * validated components and checked to stay inside the store; pieces never span files (BEP 52).
 */
public final class Storage implements Closeable {
    private final Path root;
    private final InfoDict info;
    private final List<Path> paths = new ArrayList<>();
    private final FileChannel[] channels;

    private Storage(Path root, InfoDict info) {
        this.root = root.toAbsolutePath().normalize();
        this.info = info;
        this.channels = new FileChannel[info.files().size()];
        for (FileEntry f : info.files()) {
            Path p = this.root;
            for (String c : f.path()) {
                p = p.resolve(c);
            }
            p = p.normalize();
            if (!p.startsWith(this.root) || p.equals(this.root)) {
                throw new StorageException("file '" + f.displayPath() + "' would be outside the store " + this.root);
            }
            paths.add(p);
        }
    }

    /**
     * Opens (creating as needed) the torrent's files under {@code root}, after checking that the
     * file system has room for the bytes not yet present.
     */
    public static Storage open(Path root, InfoDict info) {
        Storage s = new Storage(root, info);
        try {
            Files.createDirectories(s.root);
            long missing = 0;
            for (int i = 0; i < s.paths.size(); i++) {
                Path p = s.paths.get(i);
                long have = Files.isRegularFile(p) ? Files.size(p) : 0;
                missing += Math.max(0, info.files().get(i).length() - have);
            }
            long free = Files.getFileStore(s.root).getUsableSpace();
            if (missing > free) {
                throw new StorageException("not enough free space in " + s.root + ": need " + missing
                        + " bytes, " + free + " available");
            }
            for (int i = 0; i < s.paths.size(); i++) {
                Path p = s.paths.get(i);
                Files.createDirectories(p.getParent());
                if (Files.isSymbolicLink(p)) {
                    throw new StorageException(p + " is a symbolic link; refusing to write through it");
                }
                s.channels[i] = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                if (s.channels[i].size() > info.files().get(i).length()) {
                    s.channels[i].truncate(info.files().get(i).length());
                }
            }
            return s;
        } catch (IOException e) {
            s.close();
            throw new StorageException("cannot open files under " + s.root + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    public List<Path> paths() {
        return List.copyOf(paths);
    }

    private FileChannel channel(int piece) {
        return channels[info.fileIndexOf(piece)];
    }

    private long position(int piece, int offset) {
        FileEntry f = info.fileOf(piece);
        return (long) (piece - f.firstPiece()) * info.pieceLength() + offset;
    }

    /**
     * Writes a whole verified piece given as consecutive parts (its blocks as they arrived, so
     * they need not be copied into one buffer first).
     */
    public synchronized void writePiece(int piece, byte[]... parts) {
        ByteBuffer[] bufs = new ByteBuffer[parts.length];
        long total = 0;
        for (int i = 0; i < parts.length; i++) {
            bufs[i] = ByteBuffer.wrap(parts[i]);
            total += parts[i].length;
        }
        if (total != info.pieceSize(piece)) {
            throw new IllegalArgumentException("piece " + piece + " is " + info.pieceSize(piece) + " bytes, got " + total);
        }
        try {
            FileChannel ch = channel(piece);
            ch.position(position(piece, 0));
            while (total > 0) {
                total -= ch.write(bufs);
            }
        } catch (IOException e) {
            throw new StorageException("cannot write piece " + piece + ": " + e.getMessage(), e);
        }
    }

    /** Reads {@code length} bytes of piece {@code piece} from {@code offset}; the caller checked the range. */
    public byte[] read(int piece, int offset, int length) {
        byte[] out = new byte[length];
        try {
            ByteBuffer buf = ByteBuffer.wrap(out);
            FileChannel ch = channel(piece);
            long pos = position(piece, offset);
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new StorageException("piece " + piece + " is missing from disk (file too short)");
                }
                pos += n;
            }
            return out;
        } catch (IOException e) {
            throw new StorageException("cannot read piece " + piece + ": " + e.getMessage(), e);
        }
    }

    /** Forces written data to disk, so resume state never claims pieces that a crash could lose. */
    public void sync() {
        try {
            for (FileChannel ch : channels) {
                if (ch != null) {
                    ch.force(false);
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot sync " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (FileChannel ch : channels) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing after use; nothing left to lose
                }
            }
        }
    }
}
