package net.rhizome.inference.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.kernel.Parallel;
import net.rhizome.inference.model.ModelConfig;
import net.rhizome.inference.model.ModelWeights;
import net.rhizome.inference.model.Session;
import net.rhizome.inference.model.Transformer;
import net.rhizome.inference.quant.WeightMatrix;
import net.rhizome.inference.sampler.Sampler;
import net.rhizome.inference.sampler.SamplingParams;
import net.rhizome.inference.tokenizer.StreamingDecoder;
import net.rhizome.inference.tokenizer.Tokenizer;

/**
 * A loaded model ready to run jobs: load once, then {@link #generate} and {@link #verify} many
 * times. Jobs on one engine run one at a time (they share the kernel threads). Output is a pure
 * function of (model, prompt tokens, sampling parameters, job id).
 */
public final class InferenceEngine implements AutoCloseable {
    private final GgufFile gguf;
    private final Transformer transformer;
    private final Tokenizer tokenizer;
    private final Parallel par;
    private final EngineOptions options;

    private InferenceEngine(GgufFile gguf, Transformer transformer, Tokenizer tokenizer, EngineOptions options) {
        this.gguf = gguf;
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.options = options;
        this.par = new Parallel(options.threads());
    }

    /** Opens a GGUF model, validates it against its architecture and pages its weights in. */
    public static InferenceEngine load(Path path, EngineOptions options, LoadProgress progress) throws IOException {
        GgufFile gguf = GgufFile.open(path);
        try {
            ModelConfig config = ModelConfig.from(gguf);
            long total = ModelWeights.byteSize(gguf);
            ModelWeights weights = ModelWeights.load(gguf, config, done -> progress.update(done, total));
            Tokenizer tokenizer = Tokenizer.fromGguf(gguf);
            if (tokenizer.vocabularySize() != config.vocab()) {
                throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabularySize() + " tokens, model " + config.vocab());
            }
            progress.update(total, total);
            return new InferenceEngine(gguf, new Transformer(config, weights), tokenizer, options);
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return transformer.config();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ModelWeights weights() {
        return transformer.weights();
    }

    public GgufFile gguf() {
        return gguf;
    }

    public EngineOptions options() {
        return options;
    }

    /** Bytes of weights one decode step reads (every matrix once; the embedding only one row). */
    public long weightBytesPerToken() {
        ModelWeights w = transformer.weights();
        long sum = 0;
        for (WeightMatrix m : w.matrices()) {
            sum += m == w.tokenEmbedding() && m != w.output() ? m.rowBytes() : m.byteSize();
        }
        return sum;
    }

    /** The prompt's tokens, with BOS in front when the vocabulary asks for it. */
    public int[] encodePrompt(String text, boolean parseSpecial) {
        return tokenizer.encode(text, tokenizer.addBosByDefault(), parseSpecial);
    }

    /** Runs a job, streaming tokens to {@code listener}. */
    public synchronized GenerationResult generate(GenerationRequest req, TokenListener listener) {
        SamplingParams p = req.params();
        int[] prompt = req.promptTokens();
        int vocab = config().vocab();
        Session session = transformer.newSession(options.maxContext());
        if (prompt.length >= session.capacity()) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens does not fit the context of " + session.capacity());
        }
        MessageDigest digest = req.hashLogits() ? sha256() : null;
        long t0 = System.nanoTime();
        float[] logits = prefill(session, prompt, digest);
        long t1 = System.nanoTime();
        int[] history = Arrays.copyOf(prompt, prompt.length + p.maxTokens());
        int n = prompt.length;
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        StringBuilder text = new StringBuilder();
        StopReason reason = StopReason.MAX_TOKENS;
        int generated = 0;
        while (generated < p.maxTokens()) {
            int token = Sampler.sample(logits, 0, vocab, history, n, p, req.jobId(), generated);
            history[n++] = token;
            generated++;
            if (tokenizer.isEndOfGeneration(token)) {
                listener.onToken(generated - 1, token, "");
                reason = StopReason.END_OF_GENERATION;
                break;
            }
            String piece = decoder.accept(token);
            int before = text.length();
            text.append(piece);
            int stopAt = stopIndex(text, p, before);
            if (stopAt >= 0) {
                String visible = stopAt > before ? text.substring(before, stopAt) : "";
                text.setLength(stopAt);
                listener.onToken(generated - 1, token, visible);
                reason = StopReason.STOP_STRING;
                break;
            }
            listener.onToken(generated - 1, token, piece);
            if (generated == p.maxTokens()) {
                break;
            }
            if (session.position() >= session.capacity()) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            logits = session.forward(new int[] {token}, 0, par);
            if (digest != null) {
                update(digest, logits);
            }
        }
        if (reason != StopReason.STOP_STRING) {
            text.append(decoder.finish());
        }
        long t2 = System.nanoTime();
        return new GenerationResult(Arrays.copyOfRange(history, prompt.length, n), text.toString(), reason,
                prompt.length, t1 - t0, t2 - t1, digest == null ? null : digest.digest());
    }

    /** Runs the prompt in batches of {@link EngineOptions#prefillBatch()}; returns the last position's logits. */
    private float[] prefill(Session session, int[] prompt, MessageDigest digest) {
        float[] last = null;
        int vocab = config().vocab();
        for (int from = 0; from < prompt.length; from += options.prefillBatch()) {
            int[] chunk = Arrays.copyOfRange(prompt, from, Math.min(prompt.length, from + options.prefillBatch()));
            float[] logits = session.forward(chunk, digest == null ? chunk.length - 1 : 0, par);
            if (digest != null) {
                update(digest, logits);
            }
            last = Arrays.copyOfRange(logits, logits.length - vocab, logits.length);
        }
        return last;
    }

    /** Index where a stop string starts if one ends in the text appended after {@code before}, else -1. */
    private static int stopIndex(StringBuilder text, SamplingParams p, int before) {
        int best = -1;
        for (String s : p.stopStrings()) {
            int from = Math.max(0, before - s.length() + 1);
            int i = text.indexOf(s, from);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Teacher-forced check of claimed output: one batched forward pass over prompt + claim, then at
     * each position the sampler's choice is compared with the claimed token.
     */
    public synchronized VerifyResult verify(int[] prompt, int[] claimed, SamplingParams p, String jobId) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token (e.g. BOS)");
        }
        if (claimed.length > p.maxTokens()) {
            return new VerifyResult.Mismatch(p.maxTokens(), -1, claimed[p.maxTokens()],
                    "claim has " + claimed.length + " tokens, more than max tokens " + p.maxTokens());
        }
        if (claimed.length == 0) {
            return new VerifyResult.Match(0);
        }
        int vocab = config().vocab();
        int[] all = new int[prompt.length + claimed.length - 1];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(claimed, 0, all, prompt.length, claimed.length - 1);
        Session session = transformer.newSession(options.maxContext());
        if (all.length > session.capacity()) {
            throw new IllegalArgumentException("prompt and claim (" + all.length + " tokens) exceed the context of " + session.capacity());
        }
        float[] logits = session.forward(all, prompt.length - 1, par);
        int[] history = Arrays.copyOf(prompt, prompt.length + claimed.length);
        for (int i = 0; i < claimed.length; i++) {
            int expected = Sampler.sample(logits, i * vocab, vocab, history, prompt.length + i, p, jobId, i);
            if (expected != claimed[i]) {
                return new VerifyResult.Mismatch(i, expected, claimed[i], "sampler chooses a different token");
            }
            if (tokenizer.isEndOfGeneration(expected) && i < claimed.length - 1) {
                return new VerifyResult.Mismatch(i + 1, -1, claimed[i + 1], "tokens claimed after end of generation");
            }
            history[prompt.length + i] = claimed[i];
        }
        return new VerifyResult.Match(claimed.length);
    }

    /** Logits of every position of {@code tokens} in one batched pass ({@code tokens.length * vocab} floats). */
    public synchronized float[] logits(int[] tokens) {
        Session session = transformer.newSession(options.maxContext());
        return session.forward(tokens, 0, par);
    }

    /** The final normalised hidden state of the last token (an embedding, as llama.cpp's last-token pooling gives). */
    public synchronized float[] embedding(int[] tokens) {
        Session session = transformer.newSession(options.maxContext());
        return session.hiddenStates(tokens, tokens.length - 1, par);
    }

    /** A fresh KV cache for low-level use (token-by-token driving in tests and benchmarks); run it with {@link #parallel()}. */
    public Session newSession() {
        return transformer.newSession(options.maxContext());
    }

    /** The engine's kernel threads, for driving a {@link Session} directly. */
    public Parallel parallel() {
        return par;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static void update(MessageDigest digest, float[] logits) {
        ByteBuffer buf = ByteBuffer.allocate(logits.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(logits);
        digest.update(buf.array());
    }

    @Override
    public void close() {
        par.close();
        gguf.close();
    }
}
