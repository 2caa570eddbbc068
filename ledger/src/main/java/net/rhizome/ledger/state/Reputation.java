package net.rhizome.ledger.state;

/**
 * Every rule that changes a worker's reputation (0..1000, start 500) and how reputation becomes a
 * reward multiplier. Failing an audit costs far more than passing one earns, so a worker that
 * cheats on a small fraction of jobs still trends down.
 */
public final class Reputation {
    public static final int MAX = 1000;
    public static final int INITIAL = 500;
    static final int AUDIT_PASS_GAIN = 10;
    static final int AUDIT_FAIL_LOSS = 100;
    static final int SLASH_LOSS = 300;

    private Reputation() {}

    public static int afterAudit(int reputation, boolean passed) {
        return passed ? Math.min(MAX, reputation + AUDIT_PASS_GAIN) : Math.max(0, reputation - AUDIT_FAIL_LOSS);
    }

    /** After the committee upheld a challenge against the worker. */
    public static int afterSlash(int reputation) {
        return Math.max(0, reputation - SLASH_LOSS);
    }

    /** Linear from {@code minPerMille} at 0 to {@code maxPerMille} at {@link #MAX}, rounded down. */
    public static long multiplierPerMille(int reputation, long minPerMille, long maxPerMille) {
        return minPerMille + (maxPerMille - minPerMille) * reputation / MAX;
    }
}
