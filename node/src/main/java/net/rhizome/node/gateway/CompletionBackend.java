package net.rhizome.node.gateway;

import java.util.List;
import java.util.Optional;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.market.job.FinishReason;
import net.rhizome.market.job.SamplingParams;

/**
 * What the OpenAI API needs from the market: the models served now, tokenisation with the model's own
 * tokenizer and chat template, and running a job on workers, streamed. Implementations throw
 * {@link OpenAiException} for failures the client should see (unknown model, no worker, …).
 */
public interface CompletionBackend {
    /** Models some eligible worker serves now, with their current price. */
    List<ModelOffer> models();

    default Optional<ModelOffer> model(String id) {
        return models().stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /** Prompt tokens for {@code prompt}: chat messages through the model's chat template, text as is. */
    int[] tokenize(ModelOffer model, Prompt prompt);

    /** Runs the job to its end (or until {@code sink} declines more text) and reports who served it. */
    Outcome generate(Job job, TextSink sink);

    /** Embeds every input of the job (an embedding model's), paid per input token. */
    Embeddings embed(EmbedJob job);

    /**
     * A model on offer: context length and the price per token (output tokens, or input tokens of an
     * embedding job), multiplier applied; {@code embeddingDimension} is 0 unless the model embeds.
     */
    record ModelOffer(String id, String name, int contextLength, long pricePerToken, int multiplierPerMille, int workers,
            int embeddingDimension) {
        public boolean embeds() {
            return embeddingDimension > 0;
        }
    }

    /** One embedding job paid from {@code wallet}: token sequences, each embedded on its own. */
    record EmbedJob(PeerId wallet, ModelOffer model, List<int[]> inputs) {
        public EmbedJob {
            inputs = List.copyOf(inputs);
        }

        public long tokens() {
            return inputs.stream().mapToLong(in -> in.length).sum();
        }
    }

    /** The unit-length embedding of each input, in order, and who computed them for what. */
    record Embeddings(List<float[]> vectors, long charged, List<Served> servedBy, String jobId, String routeSeed) {}

    /** One completion job paid from {@code wallet}. */
    record Job(PeerId wallet, ModelOffer model, int[] promptTokens, SamplingParams sampling, int maxTokens, List<String> stop) {}

    /** Receives generated text as it arrives; returns false to stop generation (a stop string matched, the client left). */
    @FunctionalInterface
    interface TextSink {
        boolean accept(String delta);
    }

    /**
     * How a job ended: tokens generated, why it stopped, what it cost, which workers served which tokens,
     * and the job id and public seed (block hash) the route was computed from, so anyone can re-check it.
     */
    record Outcome(int completionTokens, FinishReason finishReason, long charged, List<Served> servedBy, String jobId, String routeSeed) {}

    /** A worker's part: tokens it generated (or input tokens it embedded) and what it was paid. */
    record Served(PeerId worker, int tokens, long paid) {}
}
