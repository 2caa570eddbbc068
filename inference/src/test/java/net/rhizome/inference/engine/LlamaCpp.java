package net.rhizome.inference.engine;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.CacheType;
import de.kherud.llama.args.PoolingType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp through its JNI binding, as the numeric reference. The KV cache is kept in F32 (its
 * default F16 cache would add its own rounding). Its server API exposes generated text piece by
 * piece and last-token embeddings (final-norm hidden state, L2-normalised), not raw logits.
 */
final class LlamaCpp {
    static {
        LlamaModel.setLogger(null, (level, msg) -> { });
    }

    private LlamaCpp() {}

    private static ModelParameters params(Path model, int threads) {
        return new ModelParameters().setModel(model.toString()).setThreads(threads).setThreadsBatch(threads)
                .setCtxSize(1024).setCacheTypeK(CacheType.F32).setCacheTypeV(CacheType.F32).skipWarmup();
    }

    /** Greedy pieces after {@code prompt} (BOS added by llama.cpp), never stopping at end-of-generation. */
    static List<String> greedyPieces(Path model, String prompt, int n) {
        List<String> pieces = new ArrayList<>();
        try (LlamaModel m = new LlamaModel(params(model, 1))) {
            InferenceParameters p = new InferenceParameters(prompt).setTemperature(0).setNPredict(n).setIgnoreEos(true).setSeed(1);
            for (LlamaOutput o : m.generate(p)) {
                pieces.add(o.text);
            }
        }
        while (pieces.size() > n && pieces.getLast().isEmpty()) {
            pieces.removeLast(); // the final "stop" message carries no token
        }
        return pieces;
    }

    /** L2-normalised final hidden state of the last token of {@code prompt} (BOS added). */
    static float[] embedding(Path model, String prompt) {
        try (LlamaModel m = new LlamaModel(params(model, 1).enableEmbedding().setPoolingType(PoolingType.LAST))) {
            return m.embed(prompt);
        }
    }
}
