package net.rhizome.market.gateway;

import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.job.GatewayChannel;

/** Payment channels from this gateway's wallet to workers, opened or topped up on the ledger as needed. */
@FunctionalInterface
public interface GatewayChannels {
    /**
     * A channel to {@code worker} for {@code model} with at least {@code needed} credits not yet vouched.
     *
     * @throws ChannelUnavailableException when it cannot be opened or funded (e.g. the wallet is short)
     */
    GatewayChannel channelTo(PeerId worker, Hash32 model, long needed) throws ChannelUnavailableException;

    final class ChannelUnavailableException extends Exception {
        public ChannelUnavailableException(String message) {
            super(message);
        }
    }
}
