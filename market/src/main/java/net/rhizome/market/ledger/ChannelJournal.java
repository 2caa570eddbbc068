package net.rhizome.market.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;

/**
 * The gateway's record of what it has vouched on each payment channel, so a restarted gateway continues
 * every channel from its cumulative amount and nonce instead of promising the same credits twice (or
 * sending vouchers the worker ignores as old). An append-only text file, one line per voucher
 * ({@code channel worker model vouched nonce}), written before the voucher leaves the gateway; opening it
 * keeps the newest line per channel and rewrites the file atomically. Lines are written without fsync:
 * they survive the gateway process dying (the operating system holds them), not a power cut.
 */
public final class ChannelJournal implements AutoCloseable {
    /** What was vouched on one channel: the newest cumulative amount and its nonce. */
    public record Entry(Hash32 channel, PeerId worker, Hash32 model, long vouched, long nonce) {
        public Entry {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(worker, "worker");
            Objects.requireNonNull(model, "model");
            if (vouched < 0 || nonce < 0) {
                throw new IllegalArgumentException("vouched " + vouched + " and nonce " + nonce + " must not be negative");
            }
        }

        String line() {
            return channel.hex() + " " + worker.hex() + " " + model.hex() + " " + vouched + " " + nonce + "\n";
        }
    }

    /** Largest journal read at start (about 400 000 vouchers since the last start). */
    public static final long MAX_FILE_BYTES = 64L << 20;
    private static final int MAX_LINE = 256;

    private final Path file;
    private final Map<Hash32, Entry> newest;
    private final FileChannel out;

    private ChannelJournal(Path file, Map<Hash32, Entry> newest, FileChannel out) {
        this.file = file;
        this.newest = newest;
        this.out = out;
    }

    /** Reads the journal (a missing file is an empty one), compacts it and opens it for appending. */
    public static ChannelJournal open(Path file) throws IOException {
        Map<Hash32, Entry> newest = new LinkedHashMap<>();
        if (Files.exists(file)) {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new IOException("channel journal " + file + " is " + size + " bytes, limit " + MAX_FILE_BYTES);
            }
            String text;
            try {
                text = Files.readString(file, StandardCharsets.US_ASCII);
            } catch (CharacterCodingException e) {
                throw new IOException("channel journal " + file + " is not ASCII text", e);
            }
            List<String> lines = text.lines().toList();
            // a crash can cut only the last line short: a line without its newline is dropped
            int complete = text.endsWith("\n") ? lines.size() : lines.size() - 1;
            for (int i = 0; i < complete; i++) {
                Entry e = parse(lines.get(i), file, i + 1);
                Entry old = newest.get(e.channel());
                if (old == null || e.nonce() > old.nonce()) {
                    newest.put(e.channel(), e);
                }
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder sb = new StringBuilder();
        newest.values().forEach(e -> sb.append(e.line()));
        Files.writeString(tmp, sb, StandardCharsets.US_ASCII);
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new ChannelJournal(file, newest, FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    }

    private static Entry parse(String line, Path file, int number) throws IOException {
        String[] f = line.split(" ");
        if (line.length() > MAX_LINE || f.length != 5) {
            throw new IOException("channel journal " + file + " line " + number + " is not 'channel worker model vouched nonce'");
        }
        try {
            return new Entry(Hash32.parse(f[0]), PeerId.parse(f[1]), Hash32.parse(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]));
        } catch (IllegalArgumentException e) {
            throw new IOException("channel journal " + file + " line " + number + ": " + e.getMessage(), e);
        }
    }

    /** The newest entry of every channel, as found at open and recorded since. */
    public synchronized Collection<Entry> entries() {
        return List.copyOf(newest.values());
    }

    /** Appends one voucher's totals; call before the voucher is sent. */
    public synchronized void record(Entry e) {
        try {
            ByteBuffer b = ByteBuffer.wrap(e.line().getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                out.write(b);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the channel journal " + file, ex);
        }
        newest.put(e.channel(), e);
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
