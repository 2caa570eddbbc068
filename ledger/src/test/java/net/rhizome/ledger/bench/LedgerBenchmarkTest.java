package net.rhizome.ledger.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark code paths at toy sizes: they must run and report positive figures (no timing goals here). */
class LedgerBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void benchmarksRunAtSmallSizes() throws Exception {
        assertThat(LedgerBenchmark.durableTransactions(dir, 600, 10, 200).value()).isPositive();
        assertThat(LedgerBenchmark.voucherChecks(200).value()).isPositive();
        var open = LedgerBenchmark.openLargeState(dir, 500);
        assertThat(open.value()).isPositive();
        assertThat(open.name()).contains("501 accounts");
        LedgerBenchmark.deleteDatabases(dir);
    }
}
