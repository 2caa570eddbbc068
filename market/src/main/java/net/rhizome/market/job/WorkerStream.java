package net.rhizome.market.job;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.tx.Voucher;
import net.rhizome.market.proto.SignedReceipt;
import net.rhizome.market.proto.TokenChunk;

/**
 * The worker's side of one job: turns generated tokens into chunks that extend the output hash chain,
 * refuses to run more than K tokens ahead of payment, and signs the receipt at the end. Not thread-safe
 * (one generation loop drives it); the channel it shares with other jobs is.
 */
public final class WorkerStream {
    private final JobRequest request;
    private final KeyPair workerKey;
    private final WorkerChannel channel;
    private final TokenChain chain;
    private final int firstIndex;
    private int delivered;
    private boolean reserved;
    private boolean finished;
    private volatile long jobPaid;

    public WorkerStream(JobRequest request, KeyPair workerKey, WorkerChannel channel) throws JobProtocolException {
        if (!request.worker().equals(workerKey.peerId())) {
            throw new JobProtocolException("job " + request.jobId().shortHex() + " is for worker " + request.worker().shortId());
        }
        if (!request.channelId().equals(channel.channelId()) || !request.payer().equals(channel.payer())) {
            throw new JobProtocolException("job " + request.jobId().shortHex() + " names a channel this worker does not hold from its payer");
        }
        this.request = request;
        this.workerKey = workerKey;
        this.channel = channel;
        this.chain = new TokenChain(request.jobId());
        int[] resumed = request.resumedTokens();
        chain.appendAll(resumed);
        this.firstIndex = resumed.length;
        channel.jobStarted(request.pricePerToken(), request.voucherInterval());
    }

    public JobRequest request() {
        return request;
    }

    /** Tokens this worker delivered so far. */
    public int delivered() {
        return delivered;
    }

    /** True when the job's max tokens are reached. */
    public boolean full() {
        return delivered >= request.remainingTokens();
    }

    /**
     * Waits until one more token would stay within K unpaid tokens and reserves it for the next
     * {@link #emit}. False when the gateway did not pay in time (or {@code abandoned} turned true): the
     * worker then stops the stream ({@link #finish} with CANCELLED).
     */
    public boolean awaitPayment(Duration timeout, BooleanSupplier abandoned) throws InterruptedException {
        if (!reserved) {
            reserved = channel.awaitAndEarn(request.pricePerToken(), timeout, abandoned);
        }
        return reserved;
    }

    /**
     * A voucher sent on this job's stream; {@code jobPaid} is the gateway's count of credits paid for this
     * job so far. May be called from another thread than the generation loop.
     */
    public void onVoucher(Voucher v, long jobPaid) throws JobProtocolException {
        channel.onVoucher(v);
        this.jobPaid = Math.max(this.jobPaid, jobPaid);
    }

    /**
     * After the job ended and its stream closed: writes off on the channel what the gateway never paid for
     * this job's tokens (it died or stopped paying), so later jobs from the payer are not blocked by it.
     * Returns the credits written off.
     */
    public long writeOffUnpaid() {
        if (!finished) {
            throw new IllegalStateException("job " + request.jobId().shortHex() + " is still running");
        }
        return channel.writeOff(Math.multiplyExact((long) delivered, request.pricePerToken()) - jobPaid);
    }

    /** The chunk for one generated token; call {@link #awaitPayment} first. */
    public TokenChunk emit(int token, byte[] text) {
        if (finished) {
            throw new IllegalStateException("job " + request.jobId().shortHex() + " is finished");
        }
        if (full()) {
            throw new IllegalStateException("job " + request.jobId().shortHex() + " reached max tokens " + request.maxTokens());
        }
        if (text.length > JobLimits.MAX_CHUNK_TEXT_BYTES) {
            throw new IllegalArgumentException("chunk text of " + text.length + " bytes is over the limit");
        }
        if (!reserved && !channel.tryEarn(request.pricePerToken())) {
            throw new IllegalStateException("job " + request.jobId().shortHex() + " would run more than "
                    + request.voucherInterval() + " tokens unpaid");
        }
        reserved = false;
        int index = firstIndex + delivered;
        chain.append(token);
        delivered++;
        return TokenChunk.newBuilder().setIndex(index).addTokens(token)
                .setChainHash(ByteString.copyFrom(chain.head().bytes())).setText(ByteString.copyFrom(text)).build();
    }

    /** Ends the job and signs the receipt for what was delivered. */
    public SignedReceipt finish(FinishReason reason) {
        if (finished) {
            throw new IllegalStateException("job " + request.jobId().shortHex() + " is already finished");
        }
        finished = true;
        if (reserved) {
            channel.unearn(request.pricePerToken());
            reserved = false;
        }
        channel.jobEnded(request.pricePerToken(), request.voucherInterval());
        return new Receipt(request.jobId(), workerKey.peerId(), chain.head(), firstIndex, delivered, reason).sign(workerKey);
    }
}
