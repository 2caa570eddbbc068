package net.rhizome.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicBoolean;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.gateway.GatewayChannels;
import net.rhizome.market.job.GatewayChannel;
import org.junit.jupiter.api.Test;

class ApiKeysChannelsTest {
    final KeyPair wallet = KeyPair.deterministic("wallet");
    final PeerId worker = KeyPair.deterministic("worker").peerId();
    final Hash32 model = Hash32.sha256(new byte[] {1});

    @Test
    void aChannelThatCannotBeOpenedIsTheWalletsFailureOnceAndOnlyOnItsThread() throws Exception {
        ApiKeysChannels channels = new ApiKeysChannels((w, m, needed) -> {
            throw new GatewayChannels.ChannelUnavailableException("OpenChannel rejected: insufficient credits");
        });
        assertThatThrownBy(() -> channels.channelTo(worker, model, 10)).hasMessageContaining("insufficient credits");
        AtomicBoolean seenElsewhere = new AtomicBoolean(true);
        Thread other = Thread.ofVirtual().start(() -> seenElsewhere.set(channels.lackedChannel(worker)));
        other.join();
        assertThat(seenElsewhere).isFalse();
        assertThat(channels.lackedChannel(worker)).isTrue();
        assertThat(channels.lackedChannel(worker)).as("forgotten once asked").isFalse();
    }

    @Test
    void anOpenedChannelLeavesWorkerFailuresToTheWorker() throws Exception {
        GatewayChannel open = new GatewayChannel(Hash32.sha256(new byte[] {2}), wallet, worker, 1000, 0, 0);
        ApiKeysChannels channels = new ApiKeysChannels((w, m, needed) -> open);
        assertThat(channels.channelTo(worker, model, 10)).isSameAs(open);
        assertThat(channels.lackedChannel(worker)).isFalse();
    }
}
