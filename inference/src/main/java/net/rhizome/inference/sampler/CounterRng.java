package net.rhizome.inference.sampler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Counter-based randomness: the uniform number for generated position {@code i} of a job is
 *
 * <pre>
 *   h = SHA-256("rhizome/sampler/v1" || seed (8 bytes, big-endian)
 *               || len(jobId) (4 bytes, big-endian) || jobId (UTF-8) || i (8 bytes, big-endian))
 *   u = (first 8 bytes of h as an unsigned big-endian integer >>> 11) * 2^-53     in [0, 1)
 * </pre>
 *
 * No state is carried between positions, so any single position can be re-drawn by an auditor.
 */
public final class CounterRng {
    private static final byte[] DOMAIN = "rhizome/sampler/v1".getBytes(StandardCharsets.US_ASCII);

    private CounterRng() {}

    public static double uniform(long seed, String jobId, long position) {
        byte[] job = jobId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(DOMAIN.length + 8 + 4 + job.length + 8);
        buf.put(DOMAIN).putLong(seed).putInt(job.length).put(job).putLong(position);
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(buf.array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        long bits = ByteBuffer.wrap(h).getLong();
        return (bits >>> 11) * 0x1.0p-53;
    }
}
