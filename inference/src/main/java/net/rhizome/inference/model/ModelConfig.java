package net.rhizome.inference.model;

import net.rhizome.inference.gguf.GgufFile;

/**
 * Hyper-parameters of a transformer, read from GGUF metadata ({@code <arch>.*} keys).
 *
 * @param contextLength maximum positions the model was trained for
 * @param ropeDims      number of leading head dimensions RoPE rotates
 */
public record ModelConfig(
        Architecture arch,
        int dim,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int ffnDim,
        int vocab,
        int contextLength,
        float rmsEps,
        double ropeBase,
        int ropeDims) {

    public ModelConfig {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("head count " + heads + " is not a multiple of the KV head count " + kvHeads);
        }
        if (ropeDims <= 0 || ropeDims > headDim || ropeDims % 2 != 0) {
            throw new IllegalArgumentException("rope dimension count " + ropeDims + " must be even and at most the head size " + headDim);
        }
        if (!(rmsEps > 0) || !(ropeBase > 0)) {
            throw new IllegalArgumentException("rms epsilon and rope base must be positive");
        }
    }

    private static final int MAX_DIM = 1 << 16;

    /** Reads the configuration of {@code gguf}; missing or out-of-range keys are errors naming the key. */
    public static ModelConfig from(GgufFile gguf) {
        String archName = gguf.string("general.architecture");
        Architecture arch = Architecture.fromGguf(archName);
        String p = archName + ".";
        int dim = gguf.intInRange(p + "embedding_length", 1, MAX_DIM);
        int layers = gguf.intInRange(p + "block_count", 1, 1024);
        int heads = gguf.intInRange(p + "attention.head_count", 1, 1024);
        int kvHeads = gguf.has(p + "attention.head_count_kv") ? gguf.intInRange(p + "attention.head_count_kv", 1, heads) : heads;
        int headDim = gguf.has(p + "attention.key_length") ? gguf.intInRange(p + "attention.key_length", 1, MAX_DIM) : dim / heads;
        if (!gguf.has(p + "attention.key_length") && dim % heads != 0) {
            throw new IllegalArgumentException(p + "embedding_length " + dim + " is not a multiple of the head count " + heads);
        }
        int ffn = gguf.intInRange(p + "feed_forward_length", 1, 1 << 20);
        int ctx = gguf.intInRange(p + "context_length", 1, 1 << 24);
        float eps = (float) gguf.floating(p + "attention.layer_norm_rms_epsilon");
        double base = gguf.optFloating(p + "rope.freq_base").orElse(10000.0);
        int ropeDims = gguf.has(p + "rope.dimension_count") ? gguf.intInRange(p + "rope.dimension_count", 2, headDim) : headDim;
        int vocab = gguf.stringArray("tokenizer.ggml.tokens").size();
        return new ModelConfig(arch, dim, layers, heads, kvHeads, headDim, ffn, vocab, ctx, eps, base, ropeDims);
    }

    public int qDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }
}
