package net.rhizome.market.ledger;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.tx.Ids;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.market.gateway.GatewayChannels;
import net.rhizome.market.job.GatewayChannel;

/**
 * The gateway's payment channels on the ledger, one per (wallet, worker, model): opened on first use
 * with at least {@code minimumDeposit}, topped up when a job needs more than is left unpromised. Vouched
 * amounts live in memory, so a gateway restarts with new channels rather than reusing old ones.
 */
public final class LedgerChannels implements GatewayChannels {
    private record Key(PeerId worker, Hash32 model) {}

    private final LedgerTransactions tx;
    private final long minimumDeposit;
    private final long expiryBlocks;
    private final Map<Key, GatewayChannel> open = new HashMap<>();

    public LedgerChannels(LedgerTransactions tx, long minimumDeposit, long expiryBlocks) {
        this.tx = Objects.requireNonNull(tx, "tx");
        if (minimumDeposit < 1 || expiryBlocks < 2) {
            throw new IllegalArgumentException("minimum deposit and expiry must be positive");
        }
        this.minimumDeposit = minimumDeposit;
        this.expiryBlocks = expiryBlocks;
    }

    @Override
    public synchronized GatewayChannel channelTo(PeerId worker, Hash32 model, long needed) throws ChannelUnavailableException {
        Key key = new Key(worker, model);
        GatewayChannel ch = open.get(key);
        try {
            if (ch == null) {
                long deposit = Math.max(needed, minimumDeposit);
                long nonce = tx.submit(new Operation.OpenChannel(worker, model, deposit, tx.ledger().head().height() + expiryBlocks));
                ch = new GatewayChannel(Ids.channel(tx.account().peerId(), nonce), tx.account(), worker, deposit, 0, 0);
                open.put(key, ch);
            } else if (ch.available() < needed) {
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
