package net.rhizome.market.job;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.tx.Voucher;
import net.rhizome.market.proto.SignedReceipt;
import net.rhizome.market.proto.TokenChunk;

/**
 * The gateway's side of one job on one worker: checks every chunk (position, token ids, size, hash
 * chain), pays with a cumulative voucher once K delivered tokens are unpaid, pays the remainder of what
 * was delivered when the worker's part ends, and checks the worker's receipt. Any invalid chunk is a
 * {@link JobProtocolException}: the gateway then fails over to the next worker with {@link #output()}.
 * Not thread-safe (one stream drives it).
 */
public final class GatewayStream {
    private final JobRequest request;
    private final GatewayChannel channel;
    private final int vocabularySize;
    private final TokenChain chain;
    private final int firstIndex;
    private int[] output;
    private int received;
    private int paidTokens;
    private Receipt receipt;

    public GatewayStream(JobRequest request, GatewayChannel channel, int vocabularySize) {
        this.request = Objects.requireNonNull(request, "request");
        this.channel = Objects.requireNonNull(channel, "channel");
        if (!request.channelId().equals(channel.channelId()) || !request.worker().equals(channel.payee())
                || !request.payer().equals(channel.payer())) {
            throw new IllegalArgumentException("job " + request.jobId().shortHex() + " does not match channel " + channel.channelId().shortHex());
        }
        if (vocabularySize < 1) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabularySize);
        }
        this.vocabularySize = vocabularySize;
        this.chain = new TokenChain(request.jobId());
        int[] resumed = request.resumedTokens();
        chain.appendAll(resumed);
        this.firstIndex = resumed.length;
        this.output = Arrays.copyOf(resumed, Math.max(16, resumed.length + 16));
    }

    /** A checked chunk: its tokens and text, and the voucher to send back now, if one is due. */
    public record Accepted(int[] tokens, byte[] text, Optional<Voucher> voucher) {}

    public Accepted onChunk(TokenChunk chunk) throws JobProtocolException {
        if (receipt != null) {
            throw new JobProtocolException("chunk after the receipt");
        }
        int expected = firstIndex + received;
        if (chunk.getIndex() != expected) {
            throw new JobProtocolException("chunk starts at token " + Integer.toUnsignedString(chunk.getIndex()) + ", expected " + expected);
        }
        int n = chunk.getTokensCount();
        if (n < 1 || n > JobLimits.MAX_CHUNK_TOKENS) {
            throw new JobProtocolException("chunk has " + n + " tokens, allowed 1.." + JobLimits.MAX_CHUNK_TOKENS);
        }
        if (received + n > request.remainingTokens()) {
            throw new JobProtocolException("chunk runs past max tokens " + request.maxTokens());
        }
        if (chunk.getText().size() > JobLimits.MAX_CHUNK_TEXT_BYTES) {
            throw new JobProtocolException("chunk text is " + chunk.getText().size() + " bytes, limit " + JobLimits.MAX_CHUNK_TEXT_BYTES);
        }
        int[] tokens = new int[n];
        TokenChain tentative = chain.copy();
        for (int i = 0; i < n; i++) {
            int t = chunk.getTokens(i);
            if (t < 0 || t >= vocabularySize) {
                throw new JobProtocolException("token id " + Integer.toUnsignedString(t) + " is outside the vocabulary of " + vocabularySize);
            }
            tokens[i] = t;
            tentative.append(t);
        }
        if (!Arrays.equals(chunk.getChainHash().toByteArray(), tentative.head().bytes())) {
            throw new JobProtocolException("chunk at token " + expected + " does not extend the output hash chain");
        }
        for (int t : tokens) {
            chain.append(t);
        }
        appendOutput(tokens);
        received += n;
        Optional<Voucher> voucher = received - paidTokens >= request.voucherInterval() ? Optional.of(payUpTo(received)) : Optional.empty();
        return new Accepted(tokens, chunk.getText().toByteArray(), voucher);
    }

    /**
     * Pays for every delivered token not yet paid (when the worker's part ends, normally or not), or empty
     * when all are paid.
     */
    public Optional<Voucher> payDelivered() {
        return received > paidTokens ? Optional.of(payUpTo(received)) : Optional.empty();
    }

    /** Checks the worker's receipt against what arrived. */
    public Receipt onReceipt(SignedReceipt signed) throws JobProtocolException {
        Receipt r = Receipt.verify(signed);
        if (!r.jobId().equals(request.jobId()) || !r.worker().equals(request.worker())) {
            throw new JobProtocolException("receipt is for job " + r.jobId().shortHex() + " by " + r.worker().shortId());
        }
        if (r.firstIndex() != firstIndex || r.tokenCount() != received) {
            throw new JobProtocolException("receipt claims tokens " + r.firstIndex() + "+" + r.tokenCount()
                    + ", received " + firstIndex + "+" + received);
        }
        if (!r.outputHash().equals(chain.head())) {
            throw new JobProtocolException("receipt output hash does not match the output received");
        }
        receipt = r;
        return r;
    }

    public JobRequest request() {
        return request;
    }

    /** Tokens this worker delivered. */
    public int received() {
        return received;
    }

    public int paidTokens() {
        return paidTokens;
    }

    /** Credits paid for this worker's tokens so far. */
    public long paid() {
        return paidTokens * request.pricePerToken();
    }

    /** The whole output so far: resumed tokens then this worker's. */
    public int[] output() {
        return Arrays.copyOf(output, firstIndex + received);
    }

    public Hash32 outputHash() {
        return chain.head();
    }

    public Optional<Receipt> receipt() {
        return Optional.ofNullable(receipt);
    }

    private Voucher payUpTo(int tokens) {
        long amount = Math.multiplyExact((long) (tokens - paidTokens), request.pricePerToken());
        Voucher v = channel.pay(amount);
        paidTokens = tokens;
        return v;
    }

    private void appendOutput(int[] tokens) {
        int size = firstIndex + received;
        if (size + tokens.length > output.length) {
            output = Arrays.copyOf(output, Math.max(output.length * 2, size + tokens.length));
        }
        System.arraycopy(tokens, 0, output, size, tokens.length);
    }
}
