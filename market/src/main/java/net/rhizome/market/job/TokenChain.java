package net.rhizome.market.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.ledger.Hash32;

/**
 * The hash chain over a job's output: {@code h0 = SHA-256("rhizome/job-chain/v1" ‖ job id)},
 * {@code h(i+1) = SHA-256(h(i) ‖ token(i) as 4 bytes big-endian)}. A chunk's chain hash commits to
 * every token before it, so a receipt's output hash names the whole output.
 */
public final class TokenChain {
    private static final byte[] DOMAIN = "rhizome/job-chain/v1".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest digest = Hashes.sha256Digest();
    private byte[] head;
    private int length;

    public TokenChain(Hash32 jobId) {
        head = Hashes.sha256(DOMAIN, jobId.bytes());
    }

    private TokenChain(byte[] head, int length) {
        this.head = head;
        this.length = length;
    }

    /** An independent copy that can be extended tentatively. */
    TokenChain copy() {
        return new TokenChain(head.clone(), length);
    }

    public void append(int token) {
        digest.update(head);
        digest.update((byte) (token >>> 24));
        digest.update((byte) (token >>> 16));
        digest.update((byte) (token >>> 8));
        digest.update((byte) token);
        head = digest.digest();
        length++;
    }

    public void appendAll(int[] tokens) {
        for (int t : tokens) {
            append(t);
        }
    }

    public Hash32 head() {
        return Hash32.of(head);
    }

    public int length() {
        return length;
    }

    /** The chain head after {@code tokens}, for anyone re-checking a receipt. */
    public static Hash32 over(Hash32 jobId, int[] tokens) {
        TokenChain chain = new TokenChain(jobId);
        chain.appendAll(tokens);
        return chain.head();
    }
}
