package net.rhizome.node.cli.inference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import net.rhizome.market.worker.Pooling;
import net.rhizome.node.cli.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhizome model synth}: a GGUF model with seeded random weights, for tests and benchmarks. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a synthetic GGUF model with seeded random weights (loadable by Rhizome and llama.cpp).")
public final class ModelSynthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--shape", required = true, paramLabel = "NAME",
            description = "tiny, tiny-qwen2, tiny-qwen3, stories15m or tinyllama-1.1b.")
    String shape;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K or Q6_K.")
    String type;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "Output file.")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Weight seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--pooling", paramLabel = "TYPE",
            description = "Declare {arch}.pooling_type: none, mean, cls, last or rank (last makes it an embedding model for the market).")
    Pooling pooling;

    @Override
    public Integer call() throws Exception {
        ModelShape s;
        GgmlType t;
        try {
            s = ModelShape.named(shape);
            t = GgmlType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage().startsWith("No enum") ? "unknown type '" + type + "'" : e.getMessage());
        }
        if (out.getParent() != null && !Files.isDirectory(out.getParent())) {
            throw new CliException("--out: directory " + out.getParent() + " does not exist");
        }
        long t0 = System.nanoTime();
        try {
            SyntheticModels.write(s, t, seed, pooling == null ? OptionalInt.empty() : OptionalInt.of(pooling.ordinal()), out);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        spec.commandLine().getOut().printf("%s: %s %s, %,d parameters, %,d bytes, seed %d (%.1f s)%n", out, s.name(), t,
                s.parameters(), Files.size(out), seed, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
