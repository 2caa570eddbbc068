package net.rhizome.market.worker;

import java.util.Optional;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.job.JobProtocolException;
import net.rhizome.market.job.JobRequest;

/**
 * Produces a job's output, one token at a time: the inference engine behind a worker. Given the request's
 * model, prompt, resumed tokens and sampling parameters, the tokens must be a pure function of them (the
 * engine's determinism contract), so a job resumed on another worker continues exactly.
 */
public interface TokenGenerator {
    /** Prefills prompt and resumed tokens; throws when the model is not served here or the prompt does not fit. */
    Generation start(JobRequest request) throws JobProtocolException;

    /**
     * The embedding of {@code tokens} (last-token pooling, L2-normalised), a pure function of model and
     * tokens; throws when the model is not served here as an embedding model or the input does not fit.
     */
    default float[] embed(Hash32 model, int[] tokens) throws JobProtocolException {
        throw new JobProtocolException("this worker computes no embeddings");
    }

    /** One job's generation; not thread-safe. */
    interface Generation extends AutoCloseable {
        /** The next output token with the UTF-8 bytes it adds to the text, or empty at end of sequence or a stop string. */
        Optional<Step> next();

        @Override
        void close();
    }

    record Step(int token, byte[] text) {}
}
