package net.rhizome.inference.model;

import java.util.ArrayList;
import java.util.List;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufTensor;
import net.rhizome.inference.quant.Dequant;
import net.rhizome.inference.quant.WeightMatrix;

/**
 * All tensors of a model, as views into the memory-mapped GGUF file (norm vectors and biases are
 * copied to float arrays). Without {@code output.weight} the token embedding is the output matrix.
 */
public record ModelWeights(WeightMatrix tokenEmbedding, List<LayerWeights> layers, float[] outputNorm, WeightMatrix output) {

    public ModelWeights {
        layers = List.copyOf(layers);
    }

    public static ModelWeights load(GgufFile gguf, ModelConfig c) {
        WeightMatrix embd = matrix(gguf, "token_embd.weight", c.vocab(), c.dim());
        List<LayerWeights> layers = new ArrayList<>(c.layers());
        boolean bias = c.arch().qkvBias();
        boolean qkNorm = c.arch().qkNorm();
        for (int i = 0; i < c.layers(); i++) {
            String b = "blk." + i + ".";
            layers.add(new LayerWeights(
                    vector(gguf, b + "attn_norm.weight", c.dim()),
                    matrix(gguf, b + "attn_q.weight", c.qDim(), c.dim()),
                    matrix(gguf, b + "attn_k.weight", c.kvDim(), c.dim()),
                    matrix(gguf, b + "attn_v.weight", c.kvDim(), c.dim()),
                    matrix(gguf, b + "attn_output.weight", c.dim(), c.qDim()),
                    bias ? vector(gguf, b + "attn_q.bias", c.qDim()) : null,
                    bias ? vector(gguf, b + "attn_k.bias", c.kvDim()) : null,
                    bias ? vector(gguf, b + "attn_v.bias", c.kvDim()) : null,
                    qkNorm ? vector(gguf, b + "attn_q_norm.weight", c.headDim()) : null,
                    qkNorm ? vector(gguf, b + "attn_k_norm.weight", c.headDim()) : null,
                    vector(gguf, b + "ffn_norm.weight", c.dim()),
                    matrix(gguf, b + "ffn_gate.weight", c.ffnDim(), c.dim()),
                    matrix(gguf, b + "ffn_up.weight", c.ffnDim(), c.dim()),
                    matrix(gguf, b + "ffn_down.weight", c.dim(), c.ffnDim())));
        }
        float[] outNorm = vector(gguf, "output_norm.weight", c.dim());
        WeightMatrix out = gguf.tensor("output.weight").isPresent() ? matrix(gguf, "output.weight", c.vocab(), c.dim()) : embd;
        return new ModelWeights(embd, layers, outNorm, out);
    }

    /** Every distinct matrix, for byte counts and page warming. */
    public List<WeightMatrix> matrices() {
        List<WeightMatrix> all = new ArrayList<>();
        all.add(tokenEmbedding);
        for (LayerWeights l : layers) {
            all.addAll(List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down()));
        }
        if (output != tokenEmbedding) {
            all.add(output);
        }
        return all;
    }

    private static WeightMatrix matrix(GgufFile gguf, String name, int rows, int cols) {
        GgufTensor t = gguf.requireTensor(name);
        if (t.rank() != 2 || t.dim(0) != cols || t.dim(1) != rows) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + java.util.Arrays.toString(t.dims())
                    + ", expected [" + cols + ", " + rows + "]");
        }
        return WeightMatrix.of(name, t.type(), rows, cols, t.data());
    }

    private static float[] vector(GgufFile gguf, String name, int n) {
        GgufTensor t = gguf.requireTensor(name);
        if (t.elementCount() != n || (t.rank() > 1 && t.dim(0) != n)) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + java.util.Arrays.toString(t.dims()) + ", expected [" + n + "]");
        }
        if (t.type() != GgmlType.F32 && t.type() != GgmlType.F16 && t.type() != GgmlType.BF16) {
            throw new IllegalArgumentException("tensor " + name + " has type " + t.type() + "; norm weights and biases must be F32, F16 or BF16");
        }
        float[] v = new float[n];
        Dequant.decode(t.type(), t.data(), 0, n, v, 0);
        return v;
    }
}
