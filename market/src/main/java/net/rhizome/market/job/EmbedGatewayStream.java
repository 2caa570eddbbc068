package net.rhizome.market.job;

import java.util.Arrays;
import java.util.Objects;
import net.rhizome.ledger.tx.Voucher;
import net.rhizome.market.proto.Embedding;
import net.rhizome.market.proto.SignedReceipt;

/**
 * The gateway's side of one embedding job on one worker: checks every embedding (order, size, finite
 * values, hash chain), pays for its input tokens as it arrives, and checks the receipt. An invalid
 * message is a {@link JobProtocolException}; the gateway then fails over from {@link #nextInput()}.
 * Not thread-safe (one stream drives it).
 */
public final class EmbedGatewayStream {
    private final EmbedRequest request;
    private final GatewayChannel channel;
    private final EmbedChain chain;
    private int next;
    private final int dimension;
    private long tokensReceived;
    private Receipt receipt;

    /** {@code dimension}: floats each embedding must have (the model's embedding length). */
    public EmbedGatewayStream(EmbedRequest request, GatewayChannel channel, int dimension) {
        this.request = Objects.requireNonNull(request, "request");
        this.channel = Objects.requireNonNull(channel, "channel");
        if (!request.channelId().equals(channel.channelId()) || !request.worker().equals(channel.payee())
                || !request.payer().equals(channel.payer())) {
            throw new IllegalArgumentException("embedding job " + request.jobId().shortHex() + " does not match channel " + channel.channelId().shortHex());
        }
        if (dimension < 1 || dimension > EmbedRequest.MAX_DIMENSION) {
            throw new IllegalArgumentException("embedding dimension must be 1.." + EmbedRequest.MAX_DIMENSION + ", got " + dimension);
        }
        this.dimension = dimension;
        this.chain = new EmbedChain(request.jobId(), request.firstInput());
        this.next = request.firstInput();
    }

    /** A checked embedding and the voucher paying for its input tokens. */
    public record Accepted(int index, float[] values, Voucher voucher) {}

    public Accepted onEmbedding(Embedding e) throws JobProtocolException {
        if (receipt != null) {
            throw new JobProtocolException("embedding after the receipt");
        }
        if (next >= request.inputCount()) {
            throw new JobProtocolException("embedding beyond the " + request.inputCount() + " inputs");
        }
        if (e.getIndex() != next) {
            throw new JobProtocolException("embedding for input " + Integer.toUnsignedString(e.getIndex()) + ", expected " + next);
        }
        if (e.getValuesCount() != dimension) {
            throw new JobProtocolException("embedding has " + e.getValuesCount() + " values, the model's dimension is " + dimension);
        }
        float[] values = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            values[i] = e.getValues(i);
            if (!Float.isFinite(values[i])) {
                throw new JobProtocolException("embedding value " + i + " of input " + next + " is not finite");
            }
        }
        if (!Arrays.equals(e.getChainHash().toByteArray(), chain.peek(next, values).bytes())) {
            throw new JobProtocolException("embedding of input " + next + " does not extend the output hash chain");
        }
        chain.append(next, values);
        int tokens = request.tokensOf(next);
        tokensReceived += tokens;
        Voucher v = channel.pay(Math.multiplyExact((long) tokens, request.pricePerToken()));
        return new Accepted(next++, values, v);
    }

    /** Checks the worker's receipt against what arrived. */
    public Receipt onReceipt(SignedReceipt signed) throws JobProtocolException {
        Receipt r = Receipt.verify(signed);
        if (!r.jobId().equals(request.jobId()) || !r.worker().equals(request.worker())) {
            throw new JobProtocolException("receipt is for job " + r.jobId().shortHex() + " by " + r.worker().shortId());
        }
        if (r.firstIndex() != request.firstInput() || r.tokenCount() != tokensReceived) {
            throw new JobProtocolException("receipt claims input " + r.firstIndex() + " and " + r.tokenCount()
                    + " tokens, received input " + request.firstInput() + " and " + tokensReceived);
        }
        if (!r.outputHash().equals(chain.head())) {
            throw new JobProtocolException("receipt output hash does not match the embeddings received");
        }
        receipt = r;
        return r;
    }

    /** The first input no embedding has arrived for: where the next worker starts. */
    public int nextInput() {
        return next;
    }

    /** Input tokens this worker embedded (and was paid for). */
    public long tokensReceived() {
        return tokensReceived;
    }

    public long paid() {
        return tokensReceived * request.pricePerToken();
    }
}
