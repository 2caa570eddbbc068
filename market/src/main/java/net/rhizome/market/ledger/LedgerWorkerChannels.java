package net.rhizome.market.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.Voucher;
import net.rhizome.market.job.WorkerChannel;
import net.rhizome.market.worker.WorkerChannels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's payment channels as the ledger shows them (open, paying this worker), and their
 * settlement: {@link #settle} claims the newest voucher of every channel with unclaimed credit,
 * closing those near expiry.
 */
public final class LedgerWorkerChannels implements WorkerChannels {
    private static final Logger log = LoggerFactory.getLogger(LedgerWorkerChannels.class);
    /** How often a known channel is re-read from the ledger at most, while jobs use it. */
    static final Duration REFRESH = Duration.ofSeconds(2);

    private final LedgerTransactions tx;
    private final Map<Hash32, WorkerChannel> known = new ConcurrentHashMap<>();
    private final Map<Hash32, Long> settledNonce = new ConcurrentHashMap<>();
    private final Map<Hash32, Long> lastRead = new ConcurrentHashMap<>();

    public LedgerWorkerChannels(LedgerTransactions tx) {
        this.tx = tx;
    }

    /**
     * A channel already known is answered from memory when its deposit, as last read, still covers
     * {@code needed}: no ledger round trip before the first token. It is re-read in the background at
     * most every {@link #REFRESH} (to notice closure or expiry), and read now when the job may need more
     * than the known deposit holds (the gateway topped it up just before sending the job). An unknown
     * channel is read now.
     */
    @Override
    public Optional<WorkerChannel> channel(Hash32 channelId, long needed) {
        WorkerChannel cached = known.get(channelId);
        if (cached == null || cached.deposit() - cached.earned() < needed) {
            return read(channelId);
        }
        Long last = lastRead.get(channelId);
        if (last == null || System.nanoTime() - last > REFRESH.toNanos()) {
            lastRead.put(channelId, System.nanoTime());
            Thread.ofVirtual().start(() -> {
                try {
                    read(channelId);
                } catch (RuntimeException e) {
                    log.debug("channel refresh failed id={} reason={}", channelId.shortHex(), e.getMessage());
                }
            });
        }
        return Optional.of(cached);
    }

    private Optional<WorkerChannel> read(Hash32 channelId) {
        lastRead.put(channelId, System.nanoTime());
        Optional<Channel> onLedger = tx.ledger().channel(channelId)
                .filter(c -> c.open() && c.payee().equals(tx.account().peerId()) && c.expiryHeight() > tx.ledger().head().height());
        if (onLedger.isEmpty()) {
            known.remove(channelId); // closed, expired or not ours: stop accepting work on it
            return Optional.empty();
        }
        Channel c = onLedger.get();
        WorkerChannel wc = known.computeIfAbsent(channelId, id -> new WorkerChannel(id, c.payer(), c.deposit(), c.claimed()));
        if (c.deposit() > wc.deposit()) {
            wc.updateDeposit(c.deposit());
        }
        return Optional.of(wc);
    }

    /** Credits vouched to this worker on its open channels (newest vouchers, settled or not). */
    public long vouched() {
        return known.values().stream().mapToLong(WorkerChannel::paid).sum();
    }

    /** What one settlement round claimed. */
    public record Settled(Hash32 channel, long cumulativeAmount, boolean closed) {}

    /**
     * Submits the newest voucher of each channel that has one not settled yet, closing the channel when
     * it expires within {@code closeWithinBlocks} ({@code Long.MAX_VALUE}: close all, e.g. on shutdown).
     */
    public List<Settled> settle(long closeWithinBlocks) {
        List<Settled> done = new ArrayList<>();
        long height = tx.ledger().head().height();
        for (WorkerChannel wc : known.values()) {
            Optional<Voucher> newest = wc.newestVoucher();
            Optional<Channel> onLedger = tx.ledger().channel(wc.channelId());
            if (newest.isEmpty() || onLedger.isEmpty() || !onLedger.get().open()) {
                continue;
            }
            Voucher v = newest.get();
            boolean close = closeWithinBlocks == Long.MAX_VALUE || onLedger.get().expiryHeight() - height <= closeWithinBlocks;
            if (v.nonce() <= settledNonce.getOrDefault(wc.channelId(), onLedger.get().lastVoucherNonce())) {
                continue; // nothing new to claim; the ledger only accepts a newer voucher, even to close
            }
            try {
                tx.submit(new Operation.SettleChannel(v, close));
                settledNonce.put(wc.channelId(), v.nonce());
                done.add(new Settled(wc.channelId(), v.cumulativeAmount(), close));
                if (close) {
                    known.remove(wc.channelId());
                }
            } catch (LedgerTransactions.LedgerException e) {
                log.warn("settlement failed channel={} error=\"{}\"", wc.channelId().shortHex(), e.getMessage());
            }
        }
        return done;
    }
}
