package net.rhizome.node.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.market.job.FinishReason;

/**
 * Test-only backend: a model whose "tokenizer" maps each character to one token and whose output is a
 * fixed story, one word per token. It lets the HTTP layer be tested with the official OpenAI client.
 */
final class ScriptedBackend implements CompletionBackend {
    static final String[] WORDS = "Once upon a time , a little fox found a shiny stone by the river . The end".split(" ");
    static final ModelOffer MODEL = new ModelOffer("tiny-story", "tiny story model", 256, 2, 1000, 1, 0);
    static final KeyPair WORKER = KeyPair.deterministic("scripted-worker");

    /** An embedding model: each input maps to the unit vector along (length, first token, last token, 1). */
    static final ModelOffer EMBEDDER = new ModelOffer("tiny-embed", "tiny embedding model", 64, 3, 1000, 1, 4);

    final AtomicInteger generateCalls = new AtomicInteger();
    volatile OpenAiException failure;

    static String word(int i) {
        return (i == 0 ? "" : " ") + WORDS[i % WORDS.length];
    }

    @Override
    public List<ModelOffer> models() {
        return List.of(MODEL, EMBEDDER);
    }

    @Override
    public int[] tokenize(ModelOffer model, Prompt prompt) {
        String text = switch (prompt) {
            case Prompt.Text t -> t.text();
            case Prompt.Chat c -> {
                StringBuilder sb = new StringBuilder();
                c.messages().forEach(m -> sb.append(m.role()).append(':').append(m.content()).append('\n'));
                yield sb.toString();
            }
        };
        return text.chars().toArray();
    }

    @Override
    public Outcome generate(Job job, TextSink sink) {
        generateCalls.incrementAndGet();
        if (failure != null) {
            throw failure;
        }
        List<Served> served = new ArrayList<>();
        int n = 0;
        FinishReason reason = FinishReason.LENGTH;
        while (n < job.maxTokens()) {
            boolean more = sink.accept(word(n));
            n++;
            if (!more) {
                reason = FinishReason.STOP;
                break;
            }
        }
        long paid = n * job.model().pricePerToken();
        served.add(new Served(WORKER.peerId(), n, paid));
        return new Outcome(n, reason, paid, served, "00".repeat(32), "11".repeat(32));
    }

    static float[] vector(int[] tokens) {
        float[] v = {tokens.length, tokens[0], tokens[tokens.length - 1], 1};
        double norm = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2] + v[3] * v[3]);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / norm);
        }
        return v;
    }

    @Override
    public Embeddings embed(EmbedJob job) {
        generateCalls.incrementAndGet();
        if (failure != null) {
            throw failure;
        }
        long paid = job.tokens() * job.model().pricePerToken();
        return new Embeddings(job.inputs().stream().map(ScriptedBackend::vector).toList(), paid,
                List.of(new Served(WORKER.peerId(), (int) job.tokens(), paid)), "00".repeat(32), "11".repeat(32));
    }
}
