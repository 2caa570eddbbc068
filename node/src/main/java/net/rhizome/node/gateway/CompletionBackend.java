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

    /** A model on offer: context length and the price per output token, multiplier applied. */
    record ModelOffer(String id, String name, int contextLength, long pricePerToken, int multiplierPerMille, int workers) {}

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

    record Served(PeerId worker, int tokens, long paid) {}
}
