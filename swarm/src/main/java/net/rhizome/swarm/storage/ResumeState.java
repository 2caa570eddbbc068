package net.rhizome.swarm.storage;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The verified-pieces bitmap of a torrent, kept on disk so a download resumes after a restart.
 * Format: magic, 32-byte info-hash, piece count, bitmap, CRC-32; written to a temporary file and
 * atomically renamed, always after the data it describes has been synced.
 */
public final class ResumeState {
    private static final int MAGIC = 0x525a5231; // "RZR1"

    private ResumeState() {}

    public static void save(Path file, byte[] infoHash, int pieces, BitSet have) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.write(infoHash);
        out.writeInt(pieces);
        out.write(Arrays.copyOf(have.toByteArray(), (pieces + 7) / 8));
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes.toByteArray());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The saved bitmap, or empty when there is none or it does not belong to this torrent or is damaged. */
    public static Optional<BitSet> load(Path file, byte[] infoHash, int pieces) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) != 4 + 32 + 4 + (pieces + 7) / 8 + 4) {
                return Optional.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
            CRC32 crc = new CRC32();
            crc.update(b.array(), 0, b.capacity() - 4);
            byte[] hash = new byte[32];
            if (b.getInt() != MAGIC || !Arrays.equals(b.get(hash).array(), 4, 36, infoHash, 0, 32)
                    || b.getInt() != pieces || b.getInt(b.capacity() - 4) != (int) crc.getValue()) {
                return Optional.empty();
            }
            byte[] bits = new byte[(pieces + 7) / 8];
            b.get(bits);
            BitSet have = BitSet.valueOf(bits);
            return have.length() > pieces ? Optional.empty() : Optional.of(have);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
