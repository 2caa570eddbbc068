package net.rhizome.market.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.Hash32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelJournalTest {
    static final Hash32 A = Hash32.sha256("a".getBytes());
    static final Hash32 B = Hash32.sha256("b".getBytes());
    static final Hash32 MODEL = Hash32.sha256("model".getBytes());
    static final KeyPair WORKER = KeyPair.deterministic("journal-worker");

    @TempDir
    Path dir;

    static ChannelJournal.Entry entry(Hash32 channel, long vouched, long nonce) {
        return new ChannelJournal.Entry(channel, WORKER.peerId(), MODEL, vouched, nonce);
    }

    @Test
    void theNewestTotalsPerChannelSurviveAReopenAndTheFileIsCompacted() throws Exception {
        Path file = dir.resolve("gateway/channels.journal");
        try (ChannelJournal j = ChannelJournal.open(file)) {
            for (int n = 1; n <= 50; n++) {
                j.record(entry(A, n * 16L, n));
            }
            j.record(entry(B, 7, 1));
        }
        try (ChannelJournal j = ChannelJournal.open(file)) {
            assertThat(j.entries()).containsExactlyInAnyOrder(entry(A, 800, 50), entry(B, 7, 1));
        }
        assertThat(Files.readAllLines(file)).hasSize(2);
    }

    @Test
    void aLineCutShortByACrashIsDroppedAndADamagedLineIsNamed() throws Exception {
        Path file = dir.resolve("channels.journal");
        try (ChannelJournal j = ChannelJournal.open(file)) {
            j.record(entry(A, 32, 2));
        }
        Files.writeString(file, entry(A, 48, 3).line().substring(0, 70), StandardOpenOption.APPEND);
        try (ChannelJournal j = ChannelJournal.open(file)) {
            assertThat(j.entries()).containsExactly(entry(A, 32, 2));
        }
        Files.writeString(file, "not a journal line\n" + entry(A, 32, 2).line(), StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ChannelJournal.open(file)).hasMessageContaining("line 1");
    }

    /** Fuzz-style: any bytes as a journal open cleanly or fail with an IOException, never anything else. */
    @Property(tries = 300)
    void arbitraryFilesNeverCrashTheReader(@ForAll @Size(max = 600) byte[] content) throws Exception {
        Path file = Files.createTempFile("channel-journal", ".txt"); // jqwik properties get no @TempDir
        try {
            Files.write(file, content);
            try (ChannelJournal j = ChannelJournal.open(file)) {
                assertThat(j.entries()).allSatisfy(e -> assertThat(e.vouched()).isNotNegative());
            } catch (java.io.IOException expected) {
                assertThat(expected.getMessage()).contains("channel journal");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
