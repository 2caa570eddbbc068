package net.rhizome.market.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.EmbeddedLedger;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.ledger.LedgerChannels;
import net.rhizome.market.ledger.LedgerTransactions;
import net.rhizome.market.ledger.LedgerWorkerChannels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker answers known channels from memory, but a job that needs more than the deposit it knows
 * makes it read the ledger at once, and the top-up wakes a job already waiting for room on the channel.
 */
class WorkerTopUpTest {
    static final Hash32 MODEL = Hash32.sha256("model".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    @Test
    void aTopUpIsSeenByTheNextJobAndWakesAWaitingOne() throws Exception {
        KeyPair gateway = KeyPair.generate();
        KeyPair worker = KeyPair.generate();
        GenesisConfig genesis = GenesisConfig.devnet("top-up-test", 1_700_000_000_000L, KeyPair.generate().peerId(),
                List.of(new GenesisConfig.Allocation(gateway.peerId(), 0, 1_000_000_000L),
                        new GenesisConfig.Allocation(worker.peerId(), 10_000_000L, 0)));
        try (EmbeddedLedger ledger = EmbeddedLedger.open(dir.resolve("ledger.db"), genesis)) {
            ledger.startBlockTimer();
            LedgerChannels channels = new LedgerChannels(new LedgerTransactions(ledger, gateway, Duration.ofSeconds(10)), 1_000, 1_000);
            LedgerWorkerChannels workerSide = new LedgerWorkerChannels(new LedgerTransactions(ledger, worker, Duration.ofSeconds(10)));
            GatewayChannel gc = channels.channelTo(worker.peerId(), MODEL, 1_000);
            WorkerChannel wc = workerSide.channel(gc.channelId(), 1_000).orElseThrow();
            wc.jobStarted(1, 2_000);
            assertThat(wc.awaitAndEarn(900, Duration.ZERO, () -> false)).isTrue();
            assertThat(workerSide.channel(gc.channelId(), 100)).containsSame(wc);

            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return wc.awaitAndEarn(300, Duration.ofSeconds(20), () -> false);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            channels.channelTo(worker.peerId(), MODEL, 1_500); // the gateway tops the channel up for its next job
            assertThat(gc.deposit()).isEqualTo(2_000);
            assertThat(workerSide.channel(gc.channelId(), 1_000).orElseThrow().deposit()).as("read now, not later").isEqualTo(2_000);
            assertThat(waiting.get(10, TimeUnit.SECONDS)).as("the waiting job was woken by the larger deposit").isTrue();
            assertThat(wc.earned()).isEqualTo(1_200);
        }
    }
}
