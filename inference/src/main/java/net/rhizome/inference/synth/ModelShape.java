package net.rhizome.inference.synth;

import java.util.List;
import net.rhizome.inference.model.Architecture;

/**
 * The dimensions of a synthetic model.
 *
 * @param tiedEmbeddings write no {@code output.weight}: the token embedding doubles as the output matrix
 */
public record ModelShape(String name, Architecture arch, int dim, int layers, int heads, int kvHeads, int ffnDim,
        int vocab, int contextLength, boolean tiedEmbeddings) {

    /** Smallest shapes that still use every code path; rows are whole K-quant super-blocks (256). */
    public static final ModelShape TINY = new ModelShape("tiny", Architecture.LLAMA, 256, 2, 4, 2, 512, 512, 512, true);
    public static final ModelShape TINY_QWEN2 = new ModelShape("tiny-qwen2", Architecture.QWEN2, 256, 2, 4, 2, 512, 512, 512, false);
    public static final ModelShape TINY_QWEN3 = new ModelShape("tiny-qwen3", Architecture.QWEN3, 256, 2, 4, 2, 512, 512, 512, false);
    /** llama2.c's stories15M. */
    public static final ModelShape STORIES15M = new ModelShape("stories15m", Architecture.LLAMA, 288, 6, 6, 6, 768, 32000, 256, true);
    /** llama2.c's stories110M (about 220 MB in F16). */
    public static final ModelShape STORIES110M = new ModelShape("stories110m", Architecture.LLAMA, 768, 12, 12, 12, 2048, 32000, 1024, true);
    /** TinyLlama 1.1B. */
    public static final ModelShape TINYLLAMA_1_1B = new ModelShape("tinyllama-1.1b", Architecture.LLAMA, 2048, 22, 32, 4, 5632, 32000, 2048, false);

    public static final List<ModelShape> NAMED = List.of(TINY, TINY_QWEN2, TINY_QWEN3, STORIES15M, STORIES110M, TINYLLAMA_1_1B);

    public ModelShape {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || ffnDim <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException("shape " + name + ": every dimension must be positive");
        }
        if (dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0) {
            throw new IllegalArgumentException("shape " + name + ": dim must split into an even head size and heads into KV groups");
        }
        if (vocab < 259 + 3) {
            throw new IllegalArgumentException("shape " + name + ": vocabulary needs at least 262 tokens (3 control + 256 bytes + 3 pieces)");
        }
    }

    public static ModelShape named(String name) {
        return NAMED.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown shape '" + name + "' (known: " + NAMED.stream().map(ModelShape::name).toList() + ")"));
    }

    public int headDim() {
        return dim / heads;
    }

    /** Parameter count, embedding and output included. */
    public long parameters() {
        long perLayer = 2L * dim + (long) dim * dim * 2 + 2L * dim * (dim / heads) * kvHeads + 3L * dim * ffnDim;
        return perLayer * layers + (long) vocab * dim * (tiedEmbeddings ? 1 : 2) + dim;
    }
}
