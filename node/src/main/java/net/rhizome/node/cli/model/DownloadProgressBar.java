package net.rhizome.node.cli.model;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import net.rhizome.node.model.DownloadListener;

/** A download's progress on one stderr line: bar, percentage, bytes, rate and ETA; redrawn at most five times a second. */
public final class DownloadProgressBar implements DownloadListener {
    private static final long REDRAW_NANOS = 200_000_000L;
    private final PrintWriter err;
    private String name = "";
    private long attemptStart;
    private long attemptOffset;
    private long lastDraw;
    private boolean onLine;

    public DownloadProgressBar(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void started(String fileName, long offset, long total) {
        name = fileName;
        attemptStart = System.nanoTime();
        attemptOffset = offset;
        lastDraw = 0;
        if (offset > 0) {
            endLine();
            err.printf("resuming %s at %s%s%n", name, Format.bytes(offset), total >= 0 ? " of " + Format.bytes(total) : "");
        }
        draw(offset, total);
    }

    @Override
    public void progress(long done, long total) {
        long now = System.nanoTime();
        if (now - lastDraw >= REDRAW_NANOS || done == total) {
            lastDraw = now;
            draw(done, total);
        }
    }

    @Override
    public void retrying(int attempt, String reason) {
        endLine();
        err.printf("attempt %d failed: %s; trying again%n", attempt, reason);
        err.flush();
    }

    @Override
    public void cached(Path file) {
        err.printf("using %s, downloaded before%n", file);
        err.flush();
    }

    @Override
    public void verifying() {
        endLine();
        err.printf("verifying %s (SHA-256, GGUF structure)%n", name);
        err.flush();
    }

    private void draw(long done, long total) {
        double seconds = (System.nanoTime() - attemptStart) / 1e9;
        long rate = seconds > 0.05 ? (long) ((done - attemptOffset) / seconds) : 0;
        if (total > 0) {
            double fraction = (double) done / total;
            long eta = rate > 0 ? (total - done) / rate : -1;
            err.printf(Locale.ROOT, "\r%s %s %5.1f%%  %s / %s  %s/s  ETA %s   ", name, Format.bar(fraction, 30), fraction * 100,
                    Format.bytes(done), Format.bytes(total), Format.bytes(rate), Format.duration(eta));
        } else {
            err.printf(Locale.ROOT, "\r%s %s  %s/s   ", name, Format.bytes(done), Format.bytes(rate));
        }
        err.flush();
        onLine = true;
    }

    private void endLine() {
        if (onLine) {
            err.println();
            onLine = false;
        }
    }
}
