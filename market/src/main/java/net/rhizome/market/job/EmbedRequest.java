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
import net.rhizome.market.proto.EmbedInput;
import net.rhizome.market.proto.EmbedRequestBody;
import net.rhizome.market.proto.SignedEmbedRequest;

/**
 * An embedding job, signed by the gateway (the channel's payer): a batch of token sequences, each
 * embedded on its own and paid per input token. On fail-over the next worker gets the same job id with
 * {@code firstInput} set past the inputs already embedded.
 */
public record EmbedRequest(
        Hash32 jobId,
        Hash32 modelId,
        List<int[]> inputs,
        int firstInput,
        long pricePerToken,
        Hash32 channelId,
        PeerId payer,
        PeerId worker,
        long createdUnixMillis) {

    /** Inputs per request (OpenAI's own limit). */
    public static final int MAX_INPUTS = 2048;
    /** Input tokens per request, all inputs together; with MAX_INPUTS it keeps receipts within their bounds. */
    public static final int MAX_TOTAL_TOKENS = 60 * 1024;
    public static final int MAX_REQUEST_BYTES = MAX_TOTAL_TOKENS * 5 + MAX_INPUTS * 4 + 4096;
    /** Floats per embedding a gateway accepts. */
    public static final int MAX_DIMENSION = 16_384;

    private static final byte[] DOMAIN = "rhizome/embed-request/v1".getBytes(StandardCharsets.US_ASCII);

    public EmbedRequest {
        Objects.requireNonNull(jobId, "job id");
        Objects.requireNonNull(modelId, "model id");
        Objects.requireNonNull(channelId, "channel id");
        Objects.requireNonNull(payer, "payer");
        Objects.requireNonNull(worker, "worker");
        inputs = inputs.stream().map(int[]::clone).toList();
        if (inputs.isEmpty() || inputs.size() > MAX_INPUTS) {
            throw new IllegalArgumentException("an embedding job has 1.." + MAX_INPUTS + " inputs, got " + inputs.size());
        }
        long total = 0;
        for (int i = 0; i < inputs.size(); i++) {
            int[] in = inputs.get(i);
            if (in.length == 0) {
                throw new IllegalArgumentException("input " + i + " has no tokens");
            }
            for (int t : in) {
                if (t < 0) {
                    throw new IllegalArgumentException("input " + i + " token id " + Integer.toUnsignedString(t) + " is out of range");
                }
            }
            total += in.length;
        }
        if (total > MAX_TOTAL_TOKENS) {
            throw new IllegalArgumentException("inputs hold " + total + " tokens, limit " + MAX_TOTAL_TOKENS);
        }
        if (firstInput < 0 || firstInput >= inputs.size()) {
            throw new IllegalArgumentException("first input " + firstInput + " is not one of the " + inputs.size() + " inputs");
        }
        if (pricePerToken < 0) {
            throw new IllegalArgumentException("price per token must not be negative, got " + pricePerToken);
        }
    }

    @Override
    public List<int[]> inputs() {
        return inputs.stream().map(int[]::clone).toList();
    }

    public int inputCount() {
        return inputs.size();
    }

    /** The tokens of input {@code i}. */
    public int[] input(int i) {
        return inputs.get(i).clone();
    }

    /** Tokens of input {@code i}. */
    public int tokensOf(int i) {
        return inputs.get(i).length;
    }

    /** The largest input this worker is asked to embed, in tokens: the most it works before being paid. */
    public int largestRemainingInput() {
        int max = 0;
        for (int i = firstInput; i < inputs.size(); i++) {
            max = Math.max(max, inputs.get(i).length);
        }
        return max;
    }

    /** Input tokens from {@code firstInput} on: what this worker is paid for when it embeds all. */
    public long remainingTokens() {
        long n = 0;
        for (int i = firstInput; i < inputs.size(); i++) {
            n += inputs.get(i).length;
        }
        return n;
    }

    /** The same job handed to another worker, starting at input {@code from}. */
    public EmbedRequest resumeOn(PeerId nextWorker, Hash32 nextChannel, long nextPrice, int from) {
        return new EmbedRequest(jobId, modelId, inputs, from, nextPrice, nextChannel, payer, nextWorker, createdUnixMillis);
    }

    public SignedEmbedRequest sign(KeyPair payerKey) {
        return sign(payerKey, toBody());
    }

    /** Signed by the payer, naming {@code sender} as the node allowed to send it (a gateway paying from a wallet it holds). */
    public SignedEmbedRequest sign(KeyPair payerKey, PeerId sender) {
        return sign(payerKey, toBody().toBuilder().setSender(ByteString.copyFrom(sender.bytes())).build());
    }

    private SignedEmbedRequest sign(KeyPair payerKey, EmbedRequestBody b) {
        if (!payerKey.peerId().equals(payer)) {
            throw new IllegalArgumentException("embedding job must be signed by its payer " + payer.shortId());
        }
        byte[] body = b.toByteArray();
        return SignedEmbedRequest.newBuilder().setBody(ByteString.copyFrom(body))
                .setSignature(ByteString.copyFrom(payerKey.sign(signedMessage(body)))).build();
    }

    /**
     * Whether {@code caller} may send this request: it is the payer, or the sender the payer named in the signed
     * body. Call after {@link #verify} accepted {@code signed}.
     */
    public static boolean mayBeSentBy(SignedEmbedRequest signed, PeerId caller) throws JobProtocolException {
        EmbedRequestBody b;
        try {
            b = EmbedRequestBody.parseFrom(signed.getBody());
        } catch (InvalidProtocolBufferException e) {
            throw new JobProtocolException("embedding request body is not a valid message: " + e.getMessage());
        }
        return caller.equals(peer(b.getPayer(), "payer")) || !b.getSender().isEmpty() && caller.equals(peer(b.getSender(), "sender"));
    }

    /** Parses and checks a signed request: limits, field validity and the payer's signature. */
    public static EmbedRequest verify(SignedEmbedRequest signed) throws JobProtocolException {
        byte[] body = signed.getBody().toByteArray();
        if (body.length > MAX_REQUEST_BYTES) {
            throw new JobProtocolException("embedding request is " + body.length + " bytes, limit " + MAX_REQUEST_BYTES);
        }
        EmbedRequestBody b;
        try {
            b = EmbedRequestBody.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new JobProtocolException("embedding request body is not a valid message: " + e.getMessage());
        }
        if (b.getProtocolVersion() != JobLimits.PROTOCOL_VERSION) {
            throw new JobProtocolException("embedding request protocol version " + b.getProtocolVersion() + " is not supported");
        }
        EmbedRequest request;
        try {
            request = new EmbedRequest(bytes32(b.getJobId(), "job id"), bytes32(b.getModelId(), "model id"),
                    b.getInputsList().stream().map(in -> in.getTokensList().stream().mapToInt(Integer::intValue).toArray()).toList(),
                    b.getFirstInput(), b.getPricePerToken(), bytes32(b.getChannelId(), "channel id"),
                    peer(b.getPayer(), "payer"), peer(b.getWorker(), "worker"), b.getCreatedUnixMillis());
        } catch (IllegalArgumentException e) {
            throw new JobProtocolException("embedding request: " + e.getMessage());
        }
        if (!request.payer.verify(signedMessage(body), signed.getSignature().toByteArray())) {
            throw new JobProtocolException("embedding request signature does not match payer " + request.payer.shortId());
        }
        return request;
    }

    EmbedRequestBody toBody() {
        EmbedRequestBody.Builder b = EmbedRequestBody.newBuilder()
                .setProtocolVersion(JobLimits.PROTOCOL_VERSION)
                .setJobId(ByteString.copyFrom(jobId.bytes()))
                .setModelId(ByteString.copyFrom(modelId.bytes()))
                .setFirstInput(firstInput)
                .setPricePerToken(pricePerToken)
                .setChannelId(ByteString.copyFrom(channelId.bytes()))
                .setPayer(ByteString.copyFrom(payer.bytes()))
                .setWorker(ByteString.copyFrom(worker.bytes()))
                .setCreatedUnixMillis(createdUnixMillis);
        for (int[] in : inputs) {
            EmbedInput.Builder e = EmbedInput.newBuilder();
            for (int t : in) {
                e.addTokens(t);
            }
            b.addInputs(e);
        }
        return b.build();
    }

    private static byte[] signedMessage(byte[] body) {
        byte[] m = Arrays.copyOf(DOMAIN, DOMAIN.length + body.length);
        System.arraycopy(body, 0, m, DOMAIN.length, body.length);
        return m;
    }

    private static Hash32 bytes32(ByteString bytes, String what) throws JobProtocolException {
        if (bytes.size() != Hash32.LENGTH) {
            throw new JobProtocolException(what + " must be 32 bytes, got " + bytes.size());
        }
        return Hash32.of(bytes.toByteArray());
    }

    private static PeerId peer(ByteString bytes, String what) throws JobProtocolException {
        if (bytes.size() != PeerId.LENGTH) {
            throw new JobProtocolException(what + " must be a 32-byte peer id, got " + bytes.size() + " bytes");
        }
        return PeerId.of(bytes.toByteArray());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EmbedRequest r && toBody().equals(r.toBody());
    }

    @Override
    public int hashCode() {
        return jobId.hashCode();
    }

    @Override
    public String toString() {
        return "EmbedRequest[" + jobId.shortHex() + ", model " + modelId.shortHex() + ", worker " + worker.shortId()
                + ", inputs " + inputs.size() + " from " + firstInput + "]";
    }
}
