package net.rhizome.node.gateway;

import java.util.HashSet;
import java.util.Set;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.gateway.GatewayChannels;
import net.rhizome.market.job.GatewayChannel;

/**
 * One wallet's payment channels that remember, per dispatching thread, the workers a channel could not be
 * opened or funded to. Such a failure is the wallet's (e.g. fewer free credits than the deposit), not the
 * worker's, so it must not put the worker in cool-down for every other key.
 */
public final class ApiKeysChannels implements GatewayChannels {
    private final GatewayChannels channels;
    private final ThreadLocal<Set<PeerId>> unfunded = ThreadLocal.withInitial(HashSet::new);

    public ApiKeysChannels(GatewayChannels channels) {
        this.channels = channels;
    }

    @Override
    public GatewayChannel channelTo(PeerId worker, Hash32 model, long needed) throws ChannelUnavailableException {
        try {
            return channels.channelTo(worker, model, needed);
        } catch (ChannelUnavailableException e) {
            unfunded.get().add(worker);
            throw e;
        }
    }

    /** Whether the failed attempt with {@code worker} on this thread lacked a channel; forgets it. */
    public boolean lackedChannel(PeerId worker) {
        return unfunded.get().remove(worker);
    }
}
