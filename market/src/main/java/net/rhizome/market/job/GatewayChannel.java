package net.rhizome.market.job;

import java.util.Objects;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.tx.Voucher;

/**
 * The gateway's view of its payment channel to one worker: the deposit, and the cumulative amount it has
 * vouched. Every voucher carries the running total and the next nonce, so the worker only ever needs
 * the newest. Thread-safe: concurrent jobs on the same channel pay through it.
 */
public final class GatewayChannel {
    private final Hash32 channelId;
    private final KeyPair payer;
    private final PeerId payee;
    private final Persistence persistence;
    private long deposit;
    private long vouched;
    private long nonce;

    /** Told each new cumulative amount and nonce before its voucher is signed, e.g. to write them to disk. */
    @FunctionalInterface
    public interface Persistence {
        Persistence NONE = (vouched, nonce) -> {};

        /** Throws (an unchecked exception) when it cannot keep them: the payment is then not made. */
        void vouching(long vouched, long nonce);
    }

    /** {@code vouched} and {@code nonce} continue from earlier vouchers on the channel (0 for a new one). */
    public GatewayChannel(Hash32 channelId, KeyPair payer, PeerId payee, long deposit, long vouched, long nonce) {
        this(channelId, payer, payee, deposit, vouched, nonce, Persistence.NONE);
    }

    public GatewayChannel(Hash32 channelId, KeyPair payer, PeerId payee, long deposit, long vouched, long nonce, Persistence persistence) {
        this.persistence = Objects.requireNonNull(persistence, "persistence");
        this.channelId = Objects.requireNonNull(channelId, "channel id");
        this.payer = Objects.requireNonNull(payer, "payer");
        this.payee = Objects.requireNonNull(payee, "payee");
        if (deposit < 0 || vouched < 0 || vouched > deposit || nonce < 0) {
            throw new IllegalArgumentException("channel state out of range: deposit " + deposit + ", vouched " + vouched + ", nonce " + nonce);
        }
        this.deposit = deposit;
        this.vouched = vouched;
        this.nonce = nonce;
    }

    public Hash32 channelId() {
        return channelId;
    }

    public PeerId payer() {
        return payer.peerId();
    }

    public PeerId payee() {
        return payee;
    }

    public synchronized long deposit() {
        return deposit;
    }

    public synchronized long vouched() {
        return vouched;
    }

    /** Nonce of the newest voucher (0 before the first). */
    public synchronized long nonce() {
        return nonce;
    }

    /** Credit still unpromised on this channel. */
    public synchronized long available() {
        return deposit - vouched;
    }

    public synchronized void updateDeposit(long newDeposit) {
        if (newDeposit < deposit) {
            throw new IllegalArgumentException("a channel deposit never shrinks: " + deposit + " -> " + newDeposit);
        }
        deposit = newDeposit;
    }

    /** Promises {@code amount} more credits: a voucher for the new cumulative total. */
    synchronized Voucher pay(long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException("payment must not be negative, got " + amount);
        }
        long total = Math.addExact(vouched, amount);
        if (total > deposit) {
            throw new IllegalStateException("channel " + channelId.shortHex() + " holds " + deposit + ", cannot vouch " + total);
        }
        persistence.vouching(total, nonce + 1);
        vouched = total;
        nonce++;
        return Voucher.sign(payer, channelId, vouched, nonce);
    }
}
