package net.rhizome.market.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.Asset;
import net.rhizome.ledger.EmbeddedLedger;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.market.ledger.ChannelJournal;
import net.rhizome.market.ledger.LedgerChannels;
import net.rhizome.market.ledger.LedgerTransactions;
import net.rhizome.market.ledger.LedgerWorkerChannels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway restarted with its channel journal continues the same channel from the cumulative amount and
 * nonce it had reached, so the worker accepts its next voucher and settles exactly what was promised.
 */
class GatewayRestartTest {
    static final Hash32 MODEL = Hash32.sha256("model".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    @Test
    void aRestartedGatewayContinuesItsChannelsWhereTheyWere() throws Exception {
        KeyPair gateway = KeyPair.generate();
        KeyPair worker = KeyPair.generate();
        GenesisConfig genesis = GenesisConfig.devnet("restart-test", 1_700_000_000_000L, KeyPair.generate().peerId(),
                List.of(new GenesisConfig.Allocation(gateway.peerId(), 0, 1_000_000_000L),
                        new GenesisConfig.Allocation(worker.peerId(), 10_000_000L, 0)));
        Path journalFile = dir.resolve("channels.journal");
        try (EmbeddedLedger ledger = EmbeddedLedger.open(dir.resolve("ledger.db"), genesis)) {
            ledger.startBlockTimer();
            LedgerWorkerChannels workerSide = new LedgerWorkerChannels(new LedgerTransactions(ledger, worker, Duration.ofSeconds(10)));

            GatewayChannel first;
            try (ChannelJournal journal = ChannelJournal.open(journalFile)) {
                LedgerChannels channels = new LedgerChannels(new LedgerTransactions(ledger, gateway, Duration.ofSeconds(10)),
                        100_000, 1_000, Optional.of(journal));
                first = channels.channelTo(worker.peerId(), MODEL, 500);
                WorkerChannel wc = workerSide.channel(first.channelId(), 0).orElseThrow();
                for (int i = 0; i < 3; i++) {
                    assertThat(wc.onVoucher(first.pay(48))).isTrue();
                }
            }
            assertThat(first.vouched()).isEqualTo(144);

            // the gateway process ends; a new one opens the same data directory
            try (ChannelJournal journal = ChannelJournal.open(journalFile)) {
                LedgerChannels channels = new LedgerChannels(new LedgerTransactions(ledger, gateway, Duration.ofSeconds(10)),
                        100_000, 1_000, Optional.of(journal));
                GatewayChannel again = channels.channelTo(worker.peerId(), MODEL, 500);
                assertThat(again.channelId()).isEqualTo(first.channelId());
                assertThat(again.vouched()).isEqualTo(144);
                assertThat(again.nonce()).isEqualTo(3);
                WorkerChannel wc = workerSide.channel(again.channelId(), 0).orElseThrow();
                assertThat(wc.onVoucher(again.pay(16))).as("a newer voucher, not one the worker ignores").isTrue();
                assertThat(wc.paid()).isEqualTo(160);
            }
            long before = ledger.balance(worker.peerId(), Asset.CREDITS);
            workerSide.settle(Long.MAX_VALUE);
            assertThat(ledger.balance(worker.peerId(), Asset.CREDITS) - before).isEqualTo(160);
            assertThat(ledger.channels(gateway.peerId())).hasSize(1);

            // without the journal a restart cannot know the totals and opens a fresh channel instead
            LedgerChannels forgetful = new LedgerChannels(new LedgerTransactions(ledger, gateway, Duration.ofSeconds(10)), 100_000, 1_000);
            assertThat(forgetful.channelTo(worker.peerId(), MODEL, 500).channelId()).isNotEqualTo(first.channelId());
        }
    }
}
