package net.rhizome.market.job;

/** Why a worker's part of a job ended. */
public enum FinishReason {
    /** The model produced end-of-sequence or a stop string. */
    STOP,
    /** The job reached its max tokens. */
    LENGTH,
    /** The gateway cancelled, or the worker gave up (e.g. unpaid). */
    CANCELLED;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static FinishReason fromWire(String name) throws JobProtocolException {
        for (FinishReason r : values()) {
            if (r.wireName().equals(name)) {
                return r;
            }
        }
        throw new JobProtocolException("unknown finish reason '" + name + "'");
    }
}
