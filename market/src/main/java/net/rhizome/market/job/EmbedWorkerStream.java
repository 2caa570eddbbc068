package net.rhizome.market.job;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.tx.Voucher;
import net.rhizome.market.proto.Embedding;
import net.rhizome.market.proto.SignedReceipt;

/**
 * The worker's side of one embedding job: it embeds an input only while the tokens sent but not yet
 * paid, that input included, stay within the job's largest input (its allowance on the channel, as K
 * tokens are for a generation job), chains what it sends and signs the receipt. Not thread-safe (one
 * loop drives it); the channel it shares with other jobs is.
 */
public final class EmbedWorkerStream {
    private final EmbedRequest request;
    private final KeyPair workerKey;
    private final WorkerChannel channel;
    private final EmbedChain chain;
    private final int allowanceTokens;
    private int next;
    private int tokensDelivered;
    private boolean reserved;
    private boolean finished;
    private volatile long jobPaid;

    public EmbedWorkerStream(EmbedRequest request, KeyPair workerKey, WorkerChannel channel) throws JobProtocolException {
        if (!request.worker().equals(workerKey.peerId())) {
            throw new JobProtocolException("embedding job " + request.jobId().shortHex() + " is for worker " + request.worker().shortId());
        }
        if (!request.channelId().equals(channel.channelId()) || !request.payer().equals(channel.payer())) {
            throw new JobProtocolException("embedding job " + request.jobId().shortHex() + " names a channel this worker does not hold from its payer");
        }
        this.request = request;
        this.workerKey = workerKey;
        this.channel = channel;
        this.chain = new EmbedChain(request.jobId(), request.firstInput());
        this.next = request.firstInput();
        this.allowanceTokens = request.largestRemainingInput();
        channel.jobStarted(request.pricePerToken(), allowanceTokens);
    }

    public EmbedRequest request() {
        return request;
    }

    /** The input to embed next, or -1 when all are done. */
    public int nextInput() {
        return next < request.inputCount() ? next : -1;
    }

    /** Input tokens embedded and sent by this worker. */
    public int tokensDelivered() {
        return tokensDelivered;
    }

    /**
     * Waits until the next input fits the unpaid allowance and reserves it; false when the timeout passes
     * first or {@code abandoned} turns true.
     */
    public boolean awaitPayment(Duration timeout, BooleanSupplier abandoned) throws InterruptedException {
        if (!reserved) {
            reserved = channel.awaitAndEarn(cost(next), timeout, abandoned);
        }
        return reserved;
    }

    /** A voucher sent on this job's stream, with the gateway's count of credits paid for this job so far. */
    public void onVoucher(Voucher v, long jobPaid) throws JobProtocolException {
        channel.onVoucher(v);
        this.jobPaid = Math.max(this.jobPaid, jobPaid);
    }

    /** After the job and its stream ended: writes off what the gateway never paid of this job (see {@link WorkerStream}). */
    public long writeOffUnpaid() {
        if (!finished) {
            throw new IllegalStateException("embedding job " + request.jobId().shortHex() + " is still running");
        }
        return channel.writeOff(Math.multiplyExact(tokensDelivered, request.pricePerToken()) - jobPaid);
    }

    /** The message carrying the next input's embedding; call {@link #awaitPayment} first. */
    public Embedding emit(float[] values) {
        if (finished || nextInput() < 0 || !reserved) {
            throw new IllegalStateException("embedding job " + request.jobId().shortHex() + " has no paid input to emit");
        }
        reserved = false;
        int index = next++;
        tokensDelivered += request.tokensOf(index);
        Embedding.Builder e = Embedding.newBuilder().setIndex(index).setChainHash(ByteString.copyFrom(chain.append(index, values).bytes()));
        for (float v : values) {
            e.addValues(v);
        }
        return e.build();
    }

    /** Ends the job and signs the receipt: first input, input tokens delivered, chain head. */
    public SignedReceipt finish(FinishReason reason) {
        if (finished) {
            throw new IllegalStateException("embedding job " + request.jobId().shortHex() + " is already finished");
        }
        finished = true;
        if (reserved) {
            channel.unearn(cost(next));
            reserved = false;
        }
        channel.jobEnded(request.pricePerToken(), allowanceTokens);
        return new Receipt(request.jobId(), workerKey.peerId(), chain.head(), request.firstInput(), tokensDelivered, reason).sign(workerKey);
    }

    private long cost(int input) {
        return Math.multiplyExact(request.pricePerToken(), (long) request.tokensOf(input));
    }
}
