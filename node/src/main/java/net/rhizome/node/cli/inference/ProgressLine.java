package net.rhizome.node.cli.inference;

import java.io.PrintWriter;
import net.rhizome.inference.engine.LoadProgress;

/** Loading progress on one stderr line, shown only for models large enough to take a moment. */
final class ProgressLine implements LoadProgress {
    private static final long SHOW_ABOVE_BYTES = 256L << 20;
    private final PrintWriter err;
    private final String label;
    private int lastPercent = -1;

    ProgressLine(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    @Override
    public void update(long done, long total) {
        if (total < SHOW_ABOVE_BYTES) {
            return;
        }
        int percent = (int) (100 * done / total);
        if (percent != lastPercent) {
            lastPercent = percent;
            err.printf("\r%s: %3d%% of %d MiB", label, percent, total >> 20);
            if (done >= total) {
                err.println();
            }
            err.flush();
        }
    }
}
