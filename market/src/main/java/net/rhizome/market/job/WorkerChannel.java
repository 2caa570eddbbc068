package net.rhizome.market.job;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.tx.Voucher;

/**
 * The worker's view of one payment channel from a gateway: its deposit, what the worker has earned on
 * it, and the newest voucher (the one it settles). Jobs on the channel share it; each running job adds
 * {@code K · price} to the allowance of unpaid credit, so with one job the worker never has more than K
 * tokens unpaid, and with n jobs at most n·K tokens' worth. Thread-safe.
 */
public final class WorkerChannel {
    private final Hash32 channelId;
    private final PeerId payer;
    private final long settledBefore;
    private long deposit;
    private long earned;
    private long allowance;
    private Voucher newest;

    public WorkerChannel(Hash32 channelId, PeerId payer, long deposit) {
        this(channelId, payer, deposit, 0);
    }

    /**
     * A channel on which {@code settledBefore} credits were already claimed (a worker restarting with a
     * channel in use): vouchers are cumulative over the channel's life, so counting starts there.
     */
    public WorkerChannel(Hash32 channelId, PeerId payer, long deposit, long settledBefore) {
        this.channelId = Objects.requireNonNull(channelId, "channel id");
        this.payer = Objects.requireNonNull(payer, "payer");
        if (deposit < 0 || settledBefore < 0 || settledBefore > deposit) {
            throw new IllegalArgumentException("channel amounts out of range: deposit " + deposit + ", settled " + settledBefore);
        }
        this.deposit = deposit;
        this.settledBefore = settledBefore;
        this.earned = settledBefore;
    }

    public Hash32 channelId() {
        return channelId;
    }

    public PeerId payer() {
        return payer;
    }

    /** The ledger shows a larger deposit (a top-up); wakes jobs waiting for room on the channel. */
    public synchronized void updateDeposit(long newDeposit) {
        if (newDeposit < deposit) {
            throw new IllegalArgumentException("a channel deposit never shrinks: " + deposit + " -> " + newDeposit);
        }
        deposit = newDeposit;
        notifyAll();
    }

    public synchronized long deposit() {
        return deposit;
    }

    public synchronized long earned() {
        return earned;
    }

    /** Cumulative amount of the newest voucher (0 before the first). */
    public synchronized long paid() {
        return newest == null ? settledBefore : Math.max(settledBefore, newest.cumulativeAmount());
    }

    public synchronized Optional<Voucher> newestVoucher() {
        return Optional.ofNullable(newest);
    }

    synchronized void jobStarted(long pricePerToken, int k) {
        allowance = Math.addExact(allowance, Math.multiplyExact(pricePerToken, k));
    }

    synchronized void jobEnded(long pricePerToken, int k) {
        allowance -= pricePerToken * k;
    }

    /** Earns one token at {@code price} if that keeps the unpaid amount within the allowance and the deposit. */
    synchronized boolean tryEarn(long price) {
        long after = earned + price;
        if (after - paid() > allowance || after > deposit) {
            return false;
        }
        earned = after;
        return true;
    }

    /**
     * Waits until one more token at {@code price} fits the allowance and the deposit, and earns it in the
     * same step (so concurrent jobs cannot both take the last room); false when the timeout passes or
     * {@code abandoned} turns true (checked whenever the channel changes or {@link #wake} is called).
     */
    synchronized boolean awaitAndEarn(long price, Duration timeout, BooleanSupplier abandoned) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!tryEarn(price)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || abandoned.getAsBoolean()) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Wakes jobs waiting for room so they notice a cancelled stream. */
    public synchronized void wake() {
        notifyAll();
    }

    /** Gives back a token earned by {@link #awaitAndEarn} that was never delivered. */
    synchronized void unearn(long price) {
        earned -= price;
    }

    /**
     * Writes off up to {@code amount} of delivered work that will never be paid (its job's stream is
     * gone), never below what vouchers already pay: it frees room for the payer's later jobs, which
     * otherwise stay blocked by tokens their gateway never received. Returns the amount written off.
     */
    synchronized long writeOff(long amount) {
        long lost = Math.min(amount, earned - paid());
        if (lost <= 0) {
            return 0;
        }
        earned -= lost;
        notifyAll();
        return lost;
    }

    /**
     * Accepts a voucher from the payer. A valid voucher older than the newest (vouchers of concurrent jobs
     * can arrive out of order) is superseded and ignored: it returns false.
     */
    public synchronized boolean onVoucher(Voucher v) throws JobProtocolException {
        if (!v.channel().equals(channelId)) {
            throw new JobProtocolException("voucher is for channel " + v.channel().shortHex() + ", not " + channelId.shortHex());
        }
        if (!v.verify(payer)) {
            throw new JobProtocolException("voucher signature does not match payer " + payer.shortId());
        }
        if (v.cumulativeAmount() > deposit) {
            throw new JobProtocolException("voucher amount " + v.cumulativeAmount() + " exceeds the channel deposit " + deposit);
        }
        if (newest != null && v.nonce() <= newest.nonce()) {
            return false;
        }
        if (newest != null && v.cumulativeAmount() < newest.cumulativeAmount()) {
            throw new JobProtocolException("voucher amount fell from " + newest.cumulativeAmount() + " to " + v.cumulativeAmount());
        }
        newest = v;
        // after a write-off a late voucher may pay more than is counted: room never grows past the allowance
        earned = Math.max(earned, v.cumulativeAmount());
        notifyAll();
        return true;
    }
}
