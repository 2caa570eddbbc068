package net.rhizome.node.cli.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import net.rhizome.ledger.bench.LedgerBenchmark;
import net.rhizome.ledger.bench.LedgerBenchmark.Figure;
import net.rhizome.node.cli.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rhizome bench ledger}: durable tx/s, voucher checks/s and large-state open time, each beside its goal and a same-run reference. */
@Command(name = "ledger", mixinStandardHelpOptions = true,
        description = "Ledger throughput: durable signed tx/s, voucher signature checks/s, time to open N accounts.")
public final class LedgerBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tx", defaultValue = "50000", description = "signed transfers to apply (default ${DEFAULT-VALUE})")
    int txCount;

    @Option(names = "--block-size", defaultValue = "5000", description = "transactions per block (default ${DEFAULT-VALUE})")
    int blockSize;

    @Option(names = "--vouchers", defaultValue = "100000", description = "voucher signatures to check (default ${DEFAULT-VALUE})")
    int vouchers;

    @Option(names = "--accounts", defaultValue = "100000", description = "accounts in the state to open (default ${DEFAULT-VALUE})")
    int accounts;

    @Option(names = "--dir", description = "directory for the benchmark databases (default: a temporary one, deleted afterwards)")
    Path dir;

    @Option(names = "--json", description = "print the figures as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (txCount < 1 || blockSize < 1 || vouchers < 1 || accounts < 1) {
            throw new CliException("--tx, --block-size, --vouchers and --accounts must be positive");
        }
        boolean temporary = dir == null;
        Path work = temporary ? Files.createTempDirectory("rhizome-bench-ledger") : Files.createDirectories(dir);
        PrintWriter out = spec.commandLine().getOut();
        List<Figure> figures = new ArrayList<>();
        try {
            LedgerBenchmark.deleteDatabases(work);
            figures.add(report(out, LedgerBenchmark.durableTransactions(work, txCount, 1000, blockSize)));
            figures.add(report(out, LedgerBenchmark.voucherChecks(vouchers)));
            figures.add(report(out, LedgerBenchmark.openLargeState(work, accounts)));
        } finally {
            LedgerBenchmark.deleteDatabases(work);
            if (temporary) {
                Files.deleteIfExists(work);
            }
        }
        if (json) {
            out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(figures));
        }
        out.flush();
        return figures.stream().allMatch(Figure::meetsGoal) ? 0 : 3;
    }

    private Figure report(PrintWriter out, Figure f) {
        if (!json) {
            out.printf("%-90s %,14.3f %-9s goal %-9s %s%n    reference: %s%n", f.name(), f.value(), f.unit(), f.goal(),
                    f.meetsGoal() ? "MET" : "MISSED", f.reference());
            out.flush();
        }
        return f;
    }
}
