package net.rhizome.market.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.inference.engine.EngineOptions;
import net.rhizome.inference.engine.GenerationRequest;
import net.rhizome.inference.engine.GenerationResult;
import net.rhizome.inference.engine.InferenceEngine;
import net.rhizome.inference.engine.LoadProgress;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.job.JobRequest;
import net.rhizome.market.job.SamplingParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine behind a worker: identical to the engine's own generate, and identical when resumed mid-way. */
class EngineGeneratorTest {
    static final Hash32 MODEL = Hash32.sha256("stories260K".getBytes(StandardCharsets.UTF_8));
    static final KeyPair PAYER = KeyPair.deterministic("payer");
    static final KeyPair WORKER = KeyPair.deterministic("worker");

    static InferenceEngine engine;

    @BeforeAll
    static void load() throws Exception {
        String models = System.getenv("RHIZOME_TEST_MODELS");
        assumeTrue(models != null && !models.isBlank(), "RHIZOME_TEST_MODELS is not set: no stories260K.gguf to run");
        Path file = Path.of(models, "stories260K.gguf");
        assumeTrue(Files.exists(file), file + " is missing");
        engine = InferenceEngine.load(file, EngineOptions.defaults().withThreads(1), LoadProgress.NONE);
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    static JobRequest request(String job, int[] resumed, int maxTokens) {
        return new JobRequest(Hash32.sha256(job.getBytes(StandardCharsets.UTF_8)), MODEL, new int[] {1, 40, 41, 42, 43},
                new SamplingParams(0.9f, 0.95f, 40, 0f, 1.1f, 1234), maxTokens, 1, Hash32.ZERO, PAYER.peerId(), WORKER.peerId(),
                resumed, List.of(), 16, 0);
    }

    static int[] run(TokenGenerator.Generation g) {
        List<Integer> out = new ArrayList<>();
        Optional<TokenGenerator.Step> s;
        while ((s = g.next()).isPresent()) {
            out.add(s.get().token());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void matchesTheEnginesOwnGenerationAndResumesIdentically() throws Exception {
        EngineGenerator generator = new EngineGenerator(Map.of(MODEL, engine));
        JobRequest full = request("job-a", new int[0], 48);
        GenerationResult reference = engine.generate(
                new GenerationRequest(full.promptTokens(), EngineGenerator.samplingOf(full), full.jobId().hex(), false), (i, t, x) -> {});
        int[] uninterrupted;
        try (var g = generator.start(full)) {
            uninterrupted = run(g);
        }
        assertThat(uninterrupted).containsExactly(reference.tokens());
        assertThat(uninterrupted.length).isGreaterThan(10);

        for (int cut : new int[] {1, 7, uninterrupted.length - 1}) {
            int[] prefix = Arrays.copyOf(uninterrupted, cut);
            try (var g = generator.start(request("job-a", prefix, 48))) {
                assertThat(run(g)).as("resumed after %d tokens", cut).containsExactly(Arrays.copyOfRange(uninterrupted, cut, uninterrupted.length));
            }
        }
    }

    @Test
    void refusesModelsItDoesNotServeAndPromptsThatDoNotFit() {
        EngineGenerator generator = new EngineGenerator(Map.of(MODEL, engine));
        JobRequest other = new JobRequest(Hash32.ZERO, Hash32.sha256("x".getBytes()), new int[] {1}, SamplingParams.GREEDY, 4, 1,
                Hash32.ZERO, PAYER.peerId(), WORKER.peerId(), new int[0], List.of(), 16, 0);
        assertThatThrownBy(() -> generator.start(other)).hasMessageContaining("is not served here");
        int[] huge = new int[engine.config().contextLength() + 1];
        Arrays.fill(huge, 5);
        JobRequest tooLong = new JobRequest(Hash32.ZERO, MODEL, huge, SamplingParams.GREEDY, 4, 1,
                Hash32.ZERO, PAYER.peerId(), WORKER.peerId(), new int[0], List.of(), 16, 0);
        assertThatThrownBy(() -> generator.start(tooLong)).hasMessageContaining("do not fit the context");
    }
}
