package net.rhizome.market.job;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.proto.JobRequestBody;
import net.rhizome.market.proto.SignedJobRequest;

/**
 * What a gateway asks a worker to do, signed by the gateway (the channel's payer). On fail-over the
 * next worker gets the same job id with {@code resumedTokens} set to the output delivered so far, and
 * continues from there: the engine is deterministic, so the answer is the one an uninterrupted run gives.
 */
public record JobRequest(
        Hash32 jobId,
        Hash32 modelId,
        int[] promptTokens,
        SamplingParams sampling,
        int maxTokens,
        long pricePerToken,
        Hash32 channelId,
        PeerId payer,
        PeerId worker,
        int[] resumedTokens,
        List<String> stop,
        int voucherInterval,
        long createdUnixMillis) {

    private static final byte[] DOMAIN = "rhizome/job-request/v1".getBytes(StandardCharsets.US_ASCII);

    public JobRequest {
        Objects.requireNonNull(jobId, "job id");
        Objects.requireNonNull(modelId, "model id");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(channelId, "channel id");
        Objects.requireNonNull(payer, "payer");
        Objects.requireNonNull(worker, "worker");
        promptTokens = promptTokens.clone();
        resumedTokens = resumedTokens.clone();
        stop = List.copyOf(stop);
        if (promptTokens.length == 0 || promptTokens.length > JobLimits.MAX_PROMPT_TOKENS) {
            throw new IllegalArgumentException("prompt must have 1.." + JobLimits.MAX_PROMPT_TOKENS + " tokens, got " + promptTokens.length);
        }
        if (maxTokens < 1 || maxTokens > JobLimits.MAX_OUTPUT_TOKENS) {
            throw new IllegalArgumentException("max tokens must be 1.." + JobLimits.MAX_OUTPUT_TOKENS + ", got " + maxTokens);
        }
        if (resumedTokens.length >= maxTokens) {
            throw new IllegalArgumentException("resumed " + resumedTokens.length + " tokens leaves nothing of max tokens " + maxTokens);
        }
        requireTokenIds(promptTokens, "prompt");
        requireTokenIds(resumedTokens, "resumed output");
        if (pricePerToken < 0) {
            throw new IllegalArgumentException("price per token must not be negative, got " + pricePerToken);
        }
        if (stop.size() > JobLimits.MAX_STOP_STRINGS) {
            throw new IllegalArgumentException("at most " + JobLimits.MAX_STOP_STRINGS + " stop strings, got " + stop.size());
        }
        for (String s : stop) {
            if (s.isEmpty() || s.length() > JobLimits.MAX_STOP_LENGTH) {
                throw new IllegalArgumentException("stop strings must be 1.." + JobLimits.MAX_STOP_LENGTH + " characters");
            }
        }
        if (voucherInterval < 1 || voucherInterval > JobLimits.MAX_VOUCHER_INTERVAL) {
            throw new IllegalArgumentException("voucher interval must be 1.." + JobLimits.MAX_VOUCHER_INTERVAL + ", got " + voucherInterval);
        }
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    @Override
    public int[] resumedTokens() {
        return resumedTokens.clone();
    }

    /** Output tokens this worker may still produce. */
    public int remainingTokens() {
        return maxTokens - resumedTokens.length;
    }

    /** The same job handed to another worker after {@code delivered} output tokens. */
    public JobRequest resumeOn(PeerId nextWorker, Hash32 nextChannel, long nextPrice, int[] delivered) {
        return new JobRequest(jobId, modelId, promptTokens, sampling, maxTokens, nextPrice, nextChannel, payer,
                nextWorker, delivered, stop, voucherInterval, createdUnixMillis);
    }

    public SignedJobRequest sign(KeyPair payerKey) {
        return sign(payerKey, toBody());
    }

    /** Signed by the payer, naming {@code sender} as the node allowed to send it (a gateway paying from a wallet it holds). */
    public SignedJobRequest sign(KeyPair payerKey, PeerId sender) {
        return sign(payerKey, toBody().toBuilder().setSender(ByteString.copyFrom(sender.bytes())).build());
    }

    private SignedJobRequest sign(KeyPair payerKey, JobRequestBody b) {
        if (!payerKey.peerId().equals(payer)) {
            throw new IllegalArgumentException("job request must be signed by its payer " + payer.shortId());
        }
        byte[] body = b.toByteArray();
        return SignedJobRequest.newBuilder().setBody(ByteString.copyFrom(body))
                .setSignature(ByteString.copyFrom(payerKey.sign(signedMessage(body)))).build();
    }

    /**
     * Whether {@code caller} may send this request: it is the payer, or the sender the payer named in the signed
     * body. Call after {@link #verify} accepted {@code signed}.
     */
    public static boolean mayBeSentBy(SignedJobRequest signed, PeerId caller) throws JobProtocolException {
        JobRequestBody b;
        try {
            b = JobRequestBody.parseFrom(signed.getBody());
        } catch (InvalidProtocolBufferException e) {
            throw new JobProtocolException("job request body is not a valid message: " + e.getMessage());
        }
        return caller.equals(peer(b.getPayer(), "payer")) || !b.getSender().isEmpty() && caller.equals(peer(b.getSender(), "sender"));
    }

    /** Parses and checks a signed request: limits, field validity, and the payer's signature. */
    public static JobRequest verify(SignedJobRequest signed) throws JobProtocolException {
        byte[] body = signed.getBody().toByteArray();
        if (body.length > JobLimits.MAX_REQUEST_BYTES) {
            throw new JobProtocolException("job request is " + body.length + " bytes, limit " + JobLimits.MAX_REQUEST_BYTES);
        }
        JobRequestBody b;
        try {
            b = JobRequestBody.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new JobProtocolException("job request body is not a valid message: " + e.getMessage());
        }
        if (b.getProtocolVersion() != JobLimits.PROTOCOL_VERSION) {
            throw new JobProtocolException("job request protocol version " + b.getProtocolVersion() + " is not supported");
        }
        JobRequest request;
        try {
            request = new JobRequest(
                    hash(b.getJobId(), "job id"), hash(b.getModelId(), "model id"),
                    b.getPromptTokensList().stream().mapToInt(Integer::intValue).toArray(),
                    SamplingParams.fromProto(b.getSampling()), b.getMaxTokens(), b.getPricePerToken(),
                    hash(b.getChannelId(), "channel id"), peer(b.getPayer(), "payer"), peer(b.getWorker(), "worker"),
                    b.getResumedTokensList().stream().mapToInt(Integer::intValue).toArray(),
                    b.getStopList(), b.getVoucherInterval(), b.getCreatedUnixMillis());
        } catch (IllegalArgumentException e) {
            throw new JobProtocolException("job request: " + e.getMessage());
        }
        if (!request.payer.verify(signedMessage(body), signed.getSignature().toByteArray())) {
            throw new JobProtocolException("job request signature does not match payer " + request.payer.shortId());
        }
        return request;
    }

    JobRequestBody toBody() {
        JobRequestBody.Builder b = JobRequestBody.newBuilder()
                .setProtocolVersion(JobLimits.PROTOCOL_VERSION)
                .setJobId(ByteString.copyFrom(jobId.bytes()))
                .setModelId(ByteString.copyFrom(modelId.bytes()))
                .setSampling(sampling.toProto())
                .setMaxTokens(maxTokens)
                .setPricePerToken(pricePerToken)
                .setChannelId(ByteString.copyFrom(channelId.bytes()))
                .setPayer(ByteString.copyFrom(payer.bytes()))
                .setWorker(ByteString.copyFrom(worker.bytes()))
                .addAllStop(stop)
                .setVoucherInterval(voucherInterval)
                .setCreatedUnixMillis(createdUnixMillis);
        for (int t : promptTokens) {
            b.addPromptTokens(t);
        }
        for (int t : resumedTokens) {
            b.addResumedTokens(t);
        }
        return b.build();
    }

    private static byte[] signedMessage(byte[] body) {
        byte[] m = Arrays.copyOf(DOMAIN, DOMAIN.length + body.length);
        System.arraycopy(body, 0, m, DOMAIN.length, body.length);
        return m;
    }

    static Hash32 hash(ByteString bytes, String what) throws JobProtocolException {
        if (bytes.size() != Hash32.LENGTH) {
            throw new JobProtocolException(what + " must be 32 bytes, got " + bytes.size());
        }
        return Hash32.of(bytes.toByteArray());
    }

    static PeerId peer(ByteString bytes, String what) throws JobProtocolException {
        if (bytes.size() != PeerId.LENGTH) {
            throw new JobProtocolException(what + " must be a 32-byte peer id, got " + bytes.size() + " bytes");
        }
        return PeerId.of(bytes.toByteArray());
    }

    private static void requireTokenIds(int[] tokens, String what) {
        for (int t : tokens) {
            if (t < 0) {
                throw new IllegalArgumentException(what + " token id " + Integer.toUnsignedString(t) + " is out of range");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobRequest r && toBody().equals(r.toBody());
    }

    @Override
    public int hashCode() {
        return jobId.hashCode();
    }

    @Override
    public String toString() {
        return "JobRequest[" + jobId.shortHex() + ", model " + modelId.shortHex() + ", worker " + worker.shortId()
                + ", prompt " + promptTokens.length + ", resumed " + resumedTokens.length + ", max " + maxTokens + "]";
    }
}
