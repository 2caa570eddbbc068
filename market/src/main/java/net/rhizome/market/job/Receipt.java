package net.rhizome.market.job;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.proto.ReceiptBody;
import net.rhizome.market.proto.SignedReceipt;

/**
 * A worker's signed statement of what it delivered for a job: tokens {@code [firstIndex, firstIndex +
 * tokenCount)} of the output, whose chain hash after the last one is {@code outputHash}. Both sides keep
 * receipts for audits.
 */
public record Receipt(Hash32 jobId, PeerId worker, Hash32 outputHash, int firstIndex, int tokenCount, FinishReason finishReason) {
    private static final byte[] DOMAIN = "rhizome/job-receipt/v1".getBytes(StandardCharsets.US_ASCII);

    public Receipt {
        Objects.requireNonNull(jobId, "job id");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(outputHash, "output hash");
        Objects.requireNonNull(finishReason, "finish reason");
        if (firstIndex < 0 || tokenCount < 0 || firstIndex + (long) tokenCount > JobLimits.MAX_OUTPUT_TOKENS) {
            throw new IllegalArgumentException("receipt range " + firstIndex + "+" + tokenCount + " is out of bounds");
        }
    }

    public SignedReceipt sign(KeyPair workerKey) {
        if (!workerKey.peerId().equals(worker)) {
            throw new IllegalArgumentException("receipt must be signed by its worker " + worker.shortId());
        }
        byte[] body = ReceiptBody.newBuilder()
                .setProtocolVersion(JobLimits.PROTOCOL_VERSION)
                .setJobId(ByteString.copyFrom(jobId.bytes()))
                .setWorker(ByteString.copyFrom(worker.bytes()))
                .setOutputHash(ByteString.copyFrom(outputHash.bytes()))
                .setFirstIndex(firstIndex)
                .setTokenCount(tokenCount)
                .setFinishReason(finishReason.wireName())
                .build().toByteArray();
        return SignedReceipt.newBuilder().setBody(ByteString.copyFrom(body))
                .setSignature(ByteString.copyFrom(workerKey.sign(signedMessage(body)))).build();
    }

    /** Parses a signed receipt and checks the worker's signature. */
    public static Receipt verify(SignedReceipt signed) throws JobProtocolException {
        byte[] body = signed.getBody().toByteArray();
        if (body.length > JobLimits.MAX_RECEIPT_BYTES) {
            throw new JobProtocolException("receipt is " + body.length + " bytes, limit " + JobLimits.MAX_RECEIPT_BYTES);
        }
        ReceiptBody b;
        try {
            b = ReceiptBody.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new JobProtocolException("receipt body is not a valid message: " + e.getMessage());
        }
        if (b.getProtocolVersion() != JobLimits.PROTOCOL_VERSION) {
            throw new JobProtocolException("receipt protocol version " + b.getProtocolVersion() + " is not supported");
        }
        Receipt receipt;
        try {
            receipt = new Receipt(JobRequest.hash(b.getJobId(), "receipt job id"), JobRequest.peer(b.getWorker(), "receipt worker"),
                    JobRequest.hash(b.getOutputHash(), "receipt output hash"), b.getFirstIndex(), b.getTokenCount(),
                    FinishReason.fromWire(b.getFinishReason()));
        } catch (IllegalArgumentException e) {
            throw new JobProtocolException("receipt: " + e.getMessage());
        }
        if (!receipt.worker.verify(signedMessage(body), signed.getSignature().toByteArray())) {
            throw new JobProtocolException("receipt signature does not match worker " + receipt.worker.shortId());
        }
        return receipt;
    }

    private static byte[] signedMessage(byte[] body) {
        byte[] m = Arrays.copyOf(DOMAIN, DOMAIN.length + body.length);
        System.arraycopy(body, 0, m, DOMAIN.length, body.length);
        return m;
    }
}
