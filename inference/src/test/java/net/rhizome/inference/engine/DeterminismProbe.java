package net.rhizome.inference.engine;

import java.nio.file.Path;
import java.util.List;
import net.rhizome.inference.kernel.VectorWidth;
import net.rhizome.inference.sampler.SamplingParams;

/**
 * Child-JVM entry point of {@link DeterminismTest}: the vector width is fixed per JVM, so each
 * width runs in its own process. Prints {@code width threads prefillBatch hash}.
 * Arguments: model path, threads, prefill batch.
 */
public final class DeterminismProbe {
    private DeterminismProbe() {}

    static final SamplingParams PARAMS = new SamplingParams(0.9f, 40, 0.95f, 0.02f, 1.1f, 64, 48, List.of(), 42);
    static final String PROMPT = "Once upon a time, in a small house";

    static String hash(Path model, int threads, int prefillBatch) throws Exception {
        EngineOptions o = EngineOptions.defaults().withThreads(threads).withPrefillBatch(prefillBatch).withMaxContext(512);
        try (InferenceEngine e = InferenceEngine.load(model, o, LoadProgress.NONE)) {
            GenerationResult r = e.generate(new GenerationRequest(e.encodePrompt(PROMPT, false), PARAMS, "job-1", true), TokenListener.NONE);
            return r.logitsHashHex() + ":" + r.tokens().length;
        }
    }

    public static void main(String[] args) throws Exception {
        String h = hash(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        System.out.println("PROBE " + VectorWidth.describe() + " " + h);
    }
}
