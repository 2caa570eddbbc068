package net.rhizome.market.ledger;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.tx.Ids;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.market.gateway.GatewayChannels;
import net.rhizome.market.job.GatewayChannel;

/**
 * The gateway's payment channels on the ledger, one per (wallet, worker, model): opened on first use
 * with at least {@code minimumDeposit}, topped up when a job needs more than is left unpromised. With a
 * {@link ChannelJournal} every voucher's totals are recorded before it is sent, and a restarted gateway
 * continues a channel that is still open (and not near expiry) from its cumulative amount and nonce.
 */
public final class LedgerChannels implements GatewayChannels {
    private record Key(PeerId worker, Hash32 model) {}

    private final LedgerTransactions tx;
    private final long minimumDeposit;
    private final long expiryBlocks;
    private final Map<Key, GatewayChannel> open = new HashMap<>();
    private final Optional<ChannelJournal> journal;

    /** Channels kept in memory only: a restart opens new ones. */
    public LedgerChannels(LedgerTransactions tx, long minimumDeposit, long expiryBlocks) {
        this(tx, minimumDeposit, expiryBlocks, Optional.empty());
    }

    public LedgerChannels(LedgerTransactions tx, long minimumDeposit, long expiryBlocks, Optional<ChannelJournal> journal) {
        this.tx = Objects.requireNonNull(tx, "tx");
        this.journal = Objects.requireNonNull(journal, "journal");
        if (minimumDeposit < 1 || expiryBlocks < 2) {
            throw new IllegalArgumentException("minimum deposit and expiry must be positive");
        }
        this.minimumDeposit = minimumDeposit;
        this.expiryBlocks = expiryBlocks;
    }

    /**
     * The journal's newest channel for {@code key} if the ledger still shows it open, ours, and with at least
     * half the expiry period left; it continues from the larger of what the journal and the ledger's last
     * claim say was vouched.
     */
    private Optional<GatewayChannel> resumed(Key key) {
        if (journal.isEmpty()) {
            return Optional.empty();
        }
        long head = tx.ledger().head().height();
        PeerId self = tx.account().peerId();
        return journal.get().entries().stream()
                .filter(e -> e.worker().equals(key.worker()) && e.model().equals(key.model()))
                .sorted(Comparator.comparingLong(ChannelJournal.Entry::nonce).reversed())
                .flatMap(e -> tx.ledger().channel(e.channel())
                        .filter(c -> c.open() && c.payer().equals(self) && c.payee().equals(key.worker())
                                && c.expiryHeight() - head > expiryBlocks / 2
                                && Math.max(e.vouched(), c.claimed()) <= c.deposit())
                        .map(c -> new GatewayChannel(c.id(), tx.account(), key.worker(), c.deposit(), Math.max(e.vouched(), c.claimed()),
                                Math.max(e.nonce(), c.lastVoucherNonce()), persistence(c.id(), key)))
                        .stream())
                .findFirst()
                .map(ch -> {
                    open.put(key, ch);
                    return ch;
                });
    }

    private GatewayChannel.Persistence persistence(Hash32 id, Key key) {
        return journal.<GatewayChannel.Persistence>map(j -> (vouched, nonce) -> j.record(
                new ChannelJournal.Entry(id, key.worker(), key.model(), vouched, nonce))).orElse(GatewayChannel.Persistence.NONE);
    }

    @Override
    public synchronized GatewayChannel channelTo(PeerId worker, Hash32 model, long needed) throws ChannelUnavailableException {
        Key key = new Key(worker, model);
        GatewayChannel ch = open.get(key);
        try {
            if (ch == null) {
                ch = resumed(key).orElse(null);
            }
            if (ch == null) {
                long deposit = Math.max(needed, minimumDeposit);
                long nonce = tx.submit(new Operation.OpenChannel(worker, model, deposit, tx.ledger().head().height() + expiryBlocks));
                Hash32 id = Ids.channel(tx.account().peerId(), nonce);
                journal.ifPresent(j -> j.record(new ChannelJournal.Entry(id, worker, model, 0, 0)));
                ch = new GatewayChannel(id, tx.account(), worker, deposit, 0, 0, persistence(id, key));
                open.put(key, ch);
            }
            if (ch.available() < needed) {
                Hash32 id = ch.channelId();
                Channel onLedger = tx.ledger().channel(id)
                        .orElseThrow(() -> new ChannelUnavailableException("channel " + id.shortHex() + " vanished from the ledger"));
                long amount = Math.max(needed - ch.available(), minimumDeposit);
                tx.submit(new Operation.TopUpChannel(ch.channelId(), amount,
                        Math.max(onLedger.expiryHeight(), tx.ledger().head().height() + expiryBlocks)));
                ch.updateDeposit(ch.deposit() + amount);
            }
        } catch (LedgerTransactions.LedgerException | IllegalArgumentException e) {
            throw new ChannelUnavailableException(e.getMessage());
        }
        return ch;
    }
}
