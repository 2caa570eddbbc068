package net.rhizome.market.worker;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.rhizome.inference.engine.InferenceEngine;
import net.rhizome.inference.model.Session;
import net.rhizome.inference.sampler.Sampler;
import net.rhizome.inference.sampler.SamplingParams;
import net.rhizome.inference.tokenizer.StreamingDecoder;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.job.JobProtocolException;
import net.rhizome.market.job.JobRequest;

/**
 * Runs jobs on the inference engine, one token per {@link Generation#next()} call, resuming after the
 * request's {@code resumedTokens}: prompt and resumed tokens are prefilled, and position {@code i} of
 * the output is drawn with the same (seed, job id, i) as an uninterrupted run, so the continuation is
 * identical. The job id given to the sampler is the job id in lower-case hex. Jobs on the same model
 * take turns token by token (they share the engine's kernel threads). The end-of-generation token is
 * delivered as the last token, with empty text, as the engine's own {@code generate} does.
 */
public final class EngineGenerator implements TokenGenerator {
    /** Repetition window every worker uses; part of the protocol because it changes sampling. */
    public static final int REPEAT_LAST_N = 64;

    private final Map<Hash32, InferenceEngine> engines;

    /** Serves the models in {@code engines}; a concurrent map may gain models while jobs run. */
    public EngineGenerator(Map<Hash32, InferenceEngine> engines) {
        this.engines = engines;
    }

    public static SamplingParams samplingOf(JobRequest r) {
        var s = r.sampling();
        return new SamplingParams(s.temperature(), s.topK(), s.topP(), s.minP(), s.repetitionPenalty(), REPEAT_LAST_N,
                r.maxTokens(), List.of(), s.seed());
    }

    @Override
    public Generation start(JobRequest request) throws JobProtocolException {
        InferenceEngine engine = engines.get(request.modelId());
        if (engine == null) {
            throw new JobProtocolException("model " + request.modelId().shortHex() + " is not served here");
        }
        int[] prompt = request.promptTokens();
        int[] resumed = request.resumedTokens();
        int vocab = engine.config().vocab();
        for (int t : prompt) {
            if (t >= vocab) {
                throw new JobProtocolException("prompt token " + t + " is outside the vocabulary of " + vocab);
            }
        }
        Session session = engine.newSession();
        int prefix = prompt.length + resumed.length;
        if (prefix >= session.capacity()) {
            throw new JobProtocolException("prompt and resumed output (" + prefix + " tokens) do not fit the context of " + session.capacity());
        }
        int[] history = Arrays.copyOf(prompt, prompt.length + request.maxTokens());
        System.arraycopy(resumed, 0, history, prompt.length, resumed.length);
        StreamingDecoder decoder = engine.tokenizer().streamingDecoder();
        for (int t : resumed) {
            decoder.accept(t);
        }
        float[] logits = prefill(engine, session, Arrays.copyOf(history, prefix));
        return new EngineGeneration(engine, session, request.jobId().hex(), samplingOf(request), history, prefix, resumed.length,
                decoder, logits, vocab);
    }

    @Override
    public float[] embed(Hash32 model, int[] tokens) throws JobProtocolException {
        InferenceEngine engine = engines.get(model);
        if (engine == null) {
            throw new JobProtocolException("model " + model.shortHex() + " is not served here");
        }
        if (!Pooling.embeds(engine.gguf())) {
            throw new JobProtocolException("model " + model.shortHex() + " is not an embedding model (no last-token pooling_type)");
        }
        int vocab = engine.config().vocab();
        for (int t : tokens) {
            if (t >= vocab) {
                throw new JobProtocolException("input token " + t + " is outside the vocabulary of " + vocab);
            }
        }
        int context = Math.min(engine.options().maxContext(), engine.config().contextLength());
        if (tokens.length > context) {
            throw new JobProtocolException("input of " + tokens.length + " tokens does not fit the context of " + context);
        }
        return normalised(engine.embedding(tokens));
    }

    /** Scales to unit length, as OpenAI's embeddings are; a zero vector stays zero. */
    static float[] normalised(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        float[] out = v.clone();
        if (sum > 0) {
            float scale = (float) (1 / Math.sqrt(sum));
            for (int i = 0; i < out.length; i++) {
                out[i] *= scale;
            }
        }
        return out;
    }

    private static float[] prefill(InferenceEngine engine, Session session, int[] tokens) {
        int batch = engine.options().prefillBatch();
        float[] last = null;
        int vocab = engine.config().vocab();
        for (int from = 0; from < tokens.length; from += batch) {
            int[] chunk = Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + batch));
            float[] logits;
            synchronized (engine) {
                logits = session.forward(chunk, chunk.length - 1, engine.parallel());
            }
            last = Arrays.copyOfRange(logits, logits.length - vocab, logits.length);
        }
        return last;
    }

    private static final class EngineGeneration implements Generation {
        private final InferenceEngine engine;
        private final Session session;
        private final String jobId;
        private final SamplingParams params;
        private final int[] history;
        private final StreamingDecoder decoder;
        private final int vocab;
        private int length;
        private int position;
        private float[] logits;
        private int pending = -1;
        private boolean ended;

        EngineGeneration(InferenceEngine engine, Session session, String jobId, SamplingParams params, int[] history, int length,
                int position, StreamingDecoder decoder, float[] logits, int vocab) {
            this.engine = engine;
            this.session = session;
            this.jobId = jobId;
            this.params = params;
            this.history = history;
            this.length = length;
            this.position = position;
            this.decoder = decoder;
            this.logits = logits;
            this.vocab = vocab;
        }

        @Override
        public Optional<Step> next() {
            if (ended || length >= history.length) {
                return Optional.empty();
            }
            if (pending >= 0) {
                if (session.position() >= session.capacity()) {
                    ended = true;
                    return Optional.empty();
                }
                synchronized (engine) {
                    logits = session.forward(new int[] {pending}, 0, engine.parallel());
                }
            }
            int token = Sampler.sample(logits, 0, vocab, history, length, params, jobId, position);
            history[length++] = token;
            position++;
            pending = token;
            if (engine.tokenizer().isEndOfGeneration(token)) {
                ended = true;
                return Optional.of(new Step(token, new byte[0]));
            }
            return Optional.of(new Step(token, decoder.accept(token).getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public void close() {
            ended = true;
        }
    }
}
