package net.rhizome.market.job;

/** Size limits every job message is checked against before it is used. */
public final class JobLimits {
    public static final int PROTOCOL_VERSION = 1;
    public static final int MAX_PROMPT_TOKENS = 262_144;
    public static final int MAX_OUTPUT_TOKENS = 65_536;
    public static final int MAX_CHUNK_TOKENS = 256;
    public static final int MAX_CHUNK_TEXT_BYTES = 64 * MAX_CHUNK_TOKENS;
    public static final int MAX_STOP_STRINGS = 4;
    public static final int MAX_STOP_LENGTH = 64;
    public static final int MAX_VOUCHER_INTERVAL = 1024;
    public static final int DEFAULT_VOUCHER_INTERVAL = 16;
    /** Largest encoded request body: prompt and resumed tokens at 5 bytes each, plus room for the rest. */
    public static final int MAX_REQUEST_BYTES = (MAX_PROMPT_TOKENS + MAX_OUTPUT_TOKENS) * 5 + 4096;
    public static final int MAX_RECEIPT_BYTES = 1024;

    private JobLimits() {}
}
