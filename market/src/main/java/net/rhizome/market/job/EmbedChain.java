package net.rhizome.market.job;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.ledger.Hash32;

/**
 * The hash chain over one worker's embeddings in a job: {@code h0 = SHA-256("rhizome/embed-chain/v1" ‖
 * job id ‖ first input as 4 bytes big-endian)}, then for each embedding {@code h = SHA-256(h ‖ index ‖
 * every float's IEEE-754 bits)}, all big-endian. The receipt's output hash names exactly what was sent.
 */
public final class EmbedChain {
    private static final byte[] DOMAIN = "rhizome/embed-chain/v1".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest digest = Hashes.sha256Digest();
    private byte[] head;

    public EmbedChain(Hash32 jobId, int firstInput) {
        head = Hashes.sha256(DOMAIN, jobId.bytes(), ByteBuffer.allocate(4).putInt(firstInput).array());
    }

    private EmbedChain(byte[] head) {
        this.head = head;
    }

    /** The head after one more embedding, without changing this chain. */
    Hash32 peek(int index, float[] values) {
        return new EmbedChain(head.clone()).append(index, values);
    }

    public Hash32 append(int index, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 * values.length).putInt(index);
        for (float v : values) {
            buf.putInt(Float.floatToRawIntBits(v));
        }
        digest.update(head);
        digest.update(buf.array());
        head = digest.digest();
        return Hash32.of(head);
    }

    public Hash32 head() {
        return Hash32.of(head);
    }
}
