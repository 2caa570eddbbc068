package net.rhizome.node.cli.inference;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import net.rhizome.inference.engine.EngineOptions;
import net.rhizome.inference.engine.InferenceEngine;
import net.rhizome.inference.engine.LoadProgress;
import net.rhizome.inference.kernel.Matmul;
import net.rhizome.inference.kernel.Parallel;
import net.rhizome.inference.kernel.UnorderedMatVec;
import net.rhizome.inference.kernel.VectorWidth;
import net.rhizome.inference.model.Session;
import net.rhizome.inference.quant.WeightMatrix;
import net.rhizome.inference.sampler.Sampler;
import net.rhizome.inference.sampler.SamplingParams;
import net.rhizome.inference.tokenizer.Tokenizer;
import net.rhizome.node.client.NodeLocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rhizome bench inference}: prefill and decode speed of the deterministic engine beside
 * llama.cpp's on the same model in the same run, memory bandwidth reached, the cost of the
 * deterministic kernels and of teacher-forced verification.
 */
@Command(name = "inference", mixinStandardHelpOptions = true,
        description = "Prompt and decode tokens/s for Rhizome and llama.cpp (same run), bandwidth, determinism and verify cost.")
public final class InferenceBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH|ID", description = "GGUF model (e.g. from rhizome model synth).")
    String model;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Node data directory for model ids (default: ~/.rhizome/node).")
    Path dataDir = NodeLocator.DEFAULT_DATA_DIR;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for both engines (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--prompt-tokens", defaultValue = "256", description = "Prompt length for the prefill figure (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--tokens", defaultValue = "64", description = "Tokens to decode per round (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--verify-tokens", defaultValue = "256", description = "Length of the answer generated once and then verified (default: ${DEFAULT-VALUE}).")
    int verifyTokens;

    @Option(names = "--rounds", defaultValue = "2", description = "Alternating measurement rounds; the best of each is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--skip-llama-cpp", description = "Measure Rhizome only.")
    boolean skipLlamaCpp;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (promptTokens < 80 || promptTokens > 8192 || tokens < 2 || tokens > 4096 || verifyTokens < 2 || verifyTokens > 4096
                || rounds < 1 || threads < 1 || threads > 256) {
            throw new net.rhizome.node.cli.CliException(
                    "--prompt-tokens must be 80..8192, --tokens and --verify-tokens 2..4096, --rounds and --threads positive");
        }
        Path path = ModelPaths.resolve(model, dataDir, spec.commandLine().getErr());
        // measured before anything is loaded, while this process is otherwise idle; re-measured at the end, best of both
        double bandwidthBefore = readBandwidth(threads);
        int context = Math.max(promptTokens + Math.max(tokens, verifyTokens) + 8, WARM_UP_PROMPT + WARM_UP_STEPS);
        EngineOptions options = EngineOptions.defaults().withThreads(threads).withMaxContext(context)
                .withPrefillBatch(promptTokens + verifyTokens);
        try (InferenceEngine engine = InferenceEngine.load(path, options, new ProgressLine(spec.commandLine().getErr(), "loading"))) {
            int[] prompt = prompt(engine.tokenizer(), promptTokens);
            String promptText = engine.tokenizer().decode(Arrays.copyOfRange(prompt, 1, prompt.length));
            long weights = engine.weightBytesPerToken();
            out.printf("model %s: %s, %d layers, dim %d, %.2f GB of weights read per token; %d threads, %s kernels%n",
                    path.getFileName(), engine.config().arch().ggufName(), engine.config().layers(), engine.config().dim(),
                    weights / 1e9, threads, VectorWidth.describe());

            warmUp(engine, prompt);
            // rounds alternate between the engines so both see the same machine load; best of each is reported
            double[] best = new double[4]; // rhizome prefill, decode, llama.cpp prefill, decode
            int llamaPromptTokens = 0;
            try (LlamaModel llama = skipLlamaCpp ? null : openLlamaCpp(path)) {
                for (int round = 1; round <= rounds; round++) {
                    Session s = engine.newSession();
                    long t0 = System.nanoTime();
                    float[] logits = s.forward(prompt, prompt.length - 1, engine.parallel());
                    long t1 = System.nanoTime();
                    for (int i = 0; i < tokens; i++) {
                        int next = greedy(engine, logits);
                        if (i + 1 < tokens) {
                            logits = s.forward(new int[] {next}, 0, engine.parallel());
                        }
                    }
                    long t2 = System.nanoTime();
                    double prefillTps = prompt.length / ((t1 - t0) / 1e9);
                    double decodeTps = (tokens - 1) / ((t2 - t1) / 1e9);
                    best[0] = Math.max(best[0], prefillTps);
                    best[1] = Math.max(best[1], decodeTps);
                    out.printf("round %d rhizome:   prefill %d tokens %.1f tok/s, decode %d tokens %.2f tok/s%n", round, prompt.length, prefillTps, tokens, decodeTps);
                    out.flush();
                    if (llama != null) {
                        double[] ref = llamaCpp(llama, promptText, tokens);
                        llamaPromptTokens = (int) ref[2];
                        best[2] = Math.max(best[2], ref[0]);
                        best[3] = Math.max(best[3], ref[1]);
                        out.printf("round %d llama.cpp: prefill %d tokens %.1f tok/s, decode %d tokens %.2f tok/s%n", round, llamaPromptTokens, ref[0], tokens, ref[1]);
                        out.flush();
                    }
                }
            }
            double bandwidth = Math.max(bandwidthBefore, readBandwidth(threads));
            out.printf("best rhizome:   prefill %.1f tok/s, decode %.2f tok/s = %.1f GB/s of weights, %.0f%% of the measured read bandwidth (%.1f GB/s, %d threads)%n",
                    best[0], best[1], weights * best[1] / 1e9, 100 * weights * best[1] / bandwidth, bandwidth / 1e9, threads);
            if (!skipLlamaCpp) {
                out.printf("best llama.cpp: prefill %.1f tok/s, decode %.2f tok/s = %.1f GB/s, %.0f%%%n", best[2], best[3], weights * best[3] / 1e9,
                        100 * weights * best[3] / bandwidth);
                out.printf("ratio rhizome/llama.cpp: prefill %.2fx, decode %.2fx%n", best[0] / best[2], best[1] / best[3]);
            }
            out.flush();

            determinismCost(engine, out);

            verifyCost(engine, prompt, best, out);
        }
        return 0;
    }

    /**
     * Generates a {@code verifyTokens} answer greedily (prefill + one decode step per token), then
     * verifies it teacher-forced in one batched pass, and prints the cost ratio beside the ratio
     * llama.cpp's own prefill and decode rates from this run would give (verification is a prefill
     * of prompt + answer, so that ratio bounds what any engine with those rates can reach).
     */
    private void verifyCost(InferenceEngine engine, int[] prompt, double[] best, PrintWriter out) {
        Session s = engine.newSession();
        long t0 = System.nanoTime();
        float[] logits = s.forward(prompt, prompt.length - 1, engine.parallel());
        int[] answer = new int[verifyTokens];
        for (int i = 0; i < verifyTokens; i++) {
            answer[i] = greedy(engine, logits);
            if (i + 1 < verifyTokens) {
                logits = s.forward(new int[] {answer[i]}, 0, engine.parallel());
            }
        }
        double generate = (System.nanoTime() - t0) / 1e9;
        long v0 = System.nanoTime();
        var verdict = engine.verify(prompt, answer, SamplingParams.greedy(verifyTokens), "bench");
        double verify = (System.nanoTime() - v0) / 1e9;
        out.printf("verify %d-token answer after a %d-token prompt: %.2f s vs generating it %.2f s (prefill + decode) = %.0f%% (%s)%n", verifyTokens,
                prompt.length, verify, generate, 100 * verify / generate, verdict.matches() ? "verified" : "MISMATCH " + verdict);
        if (best[2] > 0 && best[3] > 0) {
            double p = prompt.length, a = verifyTokens;
            out.printf("  at llama.cpp's rates from this run (prefill %.1f, decode %.2f tok/s) the same ratio would be %.0f%%%n", best[2], best[3],
                    100 * ((p + a) / best[2]) / (p / best[2] + a / best[3]));
        }
    }

    /** BOS and {@code n - 1} ordinary tokens drawn with a fixed seed. */
    private static int[] prompt(Tokenizer tok, int n) {
        SplittableRandom r = new SplittableRandom(2024);
        int[] p = new int[n];
        p[0] = tok.bos();
        for (int i = 1; i < n; i++) {
            int t;
            do {
                t = r.nextInt(tok.vocabularySize());
            } while (tok.tokenType(t) != net.rhizome.inference.tokenizer.TokenType.NORMAL);
            p[i] = t;
        }
        return p;
    }

    private static int greedy(InferenceEngine e, float[] logits) {
        for (int t = 0; t < logits.length; t++) {
            if (e.tokenizer().isEndOfGeneration(t)) {
                logits[t] = Float.NEGATIVE_INFINITY;
            }
        }
        return Sampler.argmax(logits);
    }

    private static final int WARM_UP_PROMPT = 64, WARM_UP_STEPS = 48;

    /**
     * Compiles the hot paths (batched and single-token) before timing. The JIT needs a few full
     * passes: C2 recompiles the kernels once more when further vector classes load, and decode
     * measured after only 8 warm-up steps ran at half its steady speed in the first rounds.
     */
    private static void warmUp(InferenceEngine engine, int[] prompt) {
        for (int round = 0; round < 2; round++) {
            Session s = engine.newSession();
            s.forward(Arrays.copyOf(prompt, WARM_UP_PROMPT), WARM_UP_PROMPT - 1, engine.parallel());
            for (int i = 0; i < WARM_UP_STEPS; i++) {
                s.forward(new int[] {prompt[WARM_UP_PROMPT + i % (prompt.length - WARM_UP_PROMPT)]}, 0, engine.parallel());
            }
        }
    }

    /**
     * llama.cpp prefill and decode tokens/s, timed around its streaming calls (its own timing
     * report goes to native stderr): prefill = until the first token arrives (the prompt plus one
     * decode step), decode = the rate of the tokens after it.
     * Returns {prefill tok/s, decode tok/s, prompt tokens as llama.cpp counted them}.
     */
    private LlamaModel openLlamaCpp(Path path) {
        LlamaModel.setLogger(LogFormat.TEXT, (level, msg) -> { });
        LlamaModel m = new LlamaModel(new ModelParameters().setModel(path.toString()).setThreads(threads).setThreadsBatch(threads)
                .setCtxSize(promptTokens + tokens + 64).setBatchSize(512).setUbatchSize(512));
        m.complete(new InferenceParameters("warm up").setNPredict(4).setCachePrompt(false)); // as our warm-up
        return m;
    }

    private static double[] llamaCpp(LlamaModel m, String promptText, int n) {
        int count = m.encode(promptText).length + 1;
        InferenceParameters p = new InferenceParameters(promptText).setTemperature(0).setNPredict(n).setIgnoreEos(true).setCachePrompt(false);
        long t0 = System.nanoTime(), first = 0, last = 0;
        int seen = 0;
        for (LlamaOutput o : m.generate(p)) {
            if (o.text.isEmpty() && seen >= n) {
                break; // the closing message
            }
            seen++;
            last = System.nanoTime();
            if (seen == 1) {
                first = last;
            }
        }
        if (seen < 2) {
            throw new IllegalStateException("llama.cpp produced " + seen + " tokens");
        }
        return new double[] {count / ((first - t0) / 1e9), (seen - 1) / ((last - first) / 1e9), count};
    }

    /** Sustained read bandwidth: {@code threads} threads summing a 1 GiB float array with vector loads, best of eight passes. */
    private static double readBandwidth(int threads) {
        float[] data = new float[1 << 28];
        Arrays.fill(data, 1f);
        int chunks = threads * 16;
        float[] sink = new float[threads];
        double best = 0;
        try (Parallel par = new Parallel(threads)) {
            for (int round = 0; round < 8; round++) {
                long t0 = System.nanoTime();
                par.forRange(chunks, (worker, from, to) -> {
                    int end = (int) ((long) data.length * to / chunks);
                    for (int i = (int) ((long) data.length * from / chunks); i < end; i += PROBE_BLOCK) {
                        sink[worker] += sum(data, i, Math.min(end, i + PROBE_BLOCK));
                    }
                });
                best = Math.max(best, 4.0 * data.length / ((System.nanoTime() - t0) / 1e9));
            }
        }
        return best + 0 * sink[0];
    }

    /** Floats the probe sums per call: the vector loop lives in a short method that gets a normal JIT compile (an on-stack-replaced loop keeps its vectors boxed). */
    private static final int PROBE_BLOCK = 1 << 14;

    private static float sum(float[] data, int from, int to) {
        VectorSpecies<Float> f = FloatVector.SPECIES_PREFERRED;
        int step = f.length();
        FloatVector a = FloatVector.zero(f), b = a, c = a, d = a;
        int i = from;
        for (; i + 4 * step <= to; i += 4 * step) {
            a = a.add(FloatVector.fromArray(f, data, i));
            b = b.add(FloatVector.fromArray(f, data, i + step));
            c = c.add(FloatVector.fromArray(f, data, i + 2 * step));
            d = d.add(FloatVector.fromArray(f, data, i + 3 * step));
        }
        float s = a.add(b).add(c).add(d).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < to; i++) {
            s += data[i];
        }
        return s;
    }

    /** One thread, the largest matrix: deterministic kernel against the free-order one. */
    private static void determinismCost(InferenceEngine engine, PrintWriter out) {
        WeightMatrix w = engine.weights().layers().getFirst().gate();
        if (!UnorderedMatVec.supports(w)) {
            out.printf("determinism cost: no free-order kernel for %s to compare with%n", w.type());
            return;
        }
        float[] x = new float[w.cols()];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[][] scratch = {new float[w.cols()]};
        float[] y = new float[w.rows()];
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        float sink = 0;
        try (Parallel one = new Parallel(1)) {
            for (int round = 0; round < 12; round++) {
                for (int k = 0; k < 2; k++) {
                    long t0 = System.nanoTime();
                    if (k == 0) {
                        Matmul.apply(w, x, y, 1, one, scratch); // the engine's decode matvec
                    } else {
                        for (int row = 0; row < w.rows(); row++) {
                            y[row] = UnorderedMatVec.dot(w, row, x);
                        }
                    }
                    best[k] = Math.min(best[k], (System.nanoTime() - t0) / 1e6);
                    sink += y[round];
                }
            }
        }
        out.printf("determinism cost: %s %dx%d matvec, 1 thread: deterministic %.2f ms vs free-order %.2f ms = %+.1f%%%s%n", w.type(), w.rows(),
                w.cols(), best[0], best[1], 100 * (best[0] / best[1] - 1), sink == 12345 ? " " : "");
    }
}
