package net.rhizome.inference.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufTensor;
import net.rhizome.inference.kernel.VectorWidth;
import net.rhizome.inference.quant.Dequant;
import net.rhizome.inference.quant.WeightMatrix;

/**
 * All tensors of a model, as views into the memory-mapped GGUF file (norm vectors and biases are
 * copied to float arrays; Q8_0 and Q4_0 matrices that multiply activations also get their
 * {@link net.rhizome.inference.quant.SplitBlocks} copy). Without {@code output.weight} the token
 * embedding is the output matrix.
 */
public record ModelWeights(WeightMatrix tokenEmbedding, List<LayerWeights> layers, float[] outputNorm, WeightMatrix output) {

    public ModelWeights {
        layers = List.copyOf(layers);
    }

    /**
     * Builds the weights of {@code gguf} and pages them in, telling {@code pagedIn} the bytes done
     * so far (of {@link #byteSize(GgufFile)}), so the first job does not stall on page faults.
     */
    public static ModelWeights load(GgufFile gguf, ModelConfig c, LongConsumer pagedIn) {
        Loader m = new Loader(gguf, pagedIn);
        boolean tied = gguf.tensor("output.weight").isEmpty();
        WeightMatrix embd = m.matrix("token_embd.weight", c.vocab(), c.dim(), tied);
        List<LayerWeights> layers = new ArrayList<>(c.layers());
        boolean bias = c.arch().qkvBias();
        boolean qkNorm = c.arch().qkNorm();
        for (int i = 0; i < c.layers(); i++) {
            String b = "blk." + i + ".";
            layers.add(new LayerWeights(
                    vector(gguf, b + "attn_norm.weight", c.dim()),
                    m.matrix(b + "attn_q.weight", c.qDim(), c.dim(), true),
                    m.matrix(b + "attn_k.weight", c.kvDim(), c.dim(), true),
                    m.matrix(b + "attn_v.weight", c.kvDim(), c.dim(), true),
                    m.matrix(b + "attn_output.weight", c.dim(), c.qDim(), true),
                    bias ? vector(gguf, b + "attn_q.bias", c.qDim()) : null,
                    bias ? vector(gguf, b + "attn_k.bias", c.kvDim()) : null,
                    bias ? vector(gguf, b + "attn_v.bias", c.kvDim()) : null,
                    qkNorm ? vector(gguf, b + "attn_q_norm.weight", c.headDim()) : null,
                    qkNorm ? vector(gguf, b + "attn_k_norm.weight", c.headDim()) : null,
                    vector(gguf, b + "ffn_norm.weight", c.dim()),
                    m.matrix(b + "ffn_gate.weight", c.ffnDim(), c.dim(), true),
                    m.matrix(b + "ffn_up.weight", c.ffnDim(), c.dim(), true),
                    m.matrix(b + "ffn_down.weight", c.dim(), c.ffnDim(), true)));
        }
        float[] outNorm = vector(gguf, "output_norm.weight", c.dim());
        WeightMatrix out = tied ? embd : m.matrix("output.weight", c.vocab(), c.dim(), true);
        return new ModelWeights(embd, layers, outNorm, out);
    }

    /** The bytes {@link #load} pages in: every tensor's data. */
    public static long byteSize(GgufFile gguf) {
        return gguf.tensors().stream().mapToLong(t -> t.data().byteSize()).sum();
    }

    /** Every distinct matrix, for byte counts. */
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

    /** Creates matrices and pages them in, counting the bytes. */
    private static final class Loader {
        private final GgufFile gguf;
        private final LongConsumer pagedIn;
        private long done;

        Loader(GgufFile gguf, LongConsumer pagedIn) {
            this.gguf = gguf;
            this.pagedIn = pagedIn;
        }

        /**
         * A matrix of {@code rows} x {@code cols}; {@code products} when it multiplies activations
         * rather than only serving rows (the scalar path, {@code RHIZOME_VECTOR_BITS=0}, reads the
         * file and gets no split copies).
         */
        WeightMatrix matrix(String name, int rows, int cols, boolean products) {
            GgufTensor t = gguf.requireTensor(name);
            if (t.rank() != 2 || t.dim(0) != cols || t.dim(1) != rows) {
                throw new IllegalArgumentException("tensor " + name + " has shape " + java.util.Arrays.toString(t.dims())
                        + ", expected [" + cols + ", " + rows + "]");
            }
            WeightMatrix w = products && !VectorWidth.SCALAR
                    ? WeightMatrix.of(name, t.type(), rows, cols, t.data(), gguf.memory())
                    : WeightMatrix.rowsOnly(name, t.type(), rows, cols, t.data());
            if (w.split() == null) {
                touchPages(t.data());
            } else if (t.data().isMapped()) {
                t.data().unload(); // the kernels read the copy; the file pages need not count twice
            }
            done += t.data().byteSize();
            pagedIn.accept(done);
            return w;
        }

        /** Reads one byte per page, reporting progress every 64 MiB. (A split copy has read them all already.) */
        private void touchPages(MemorySegment data) {
            long sink = 0;
            for (long off = 0; off < data.byteSize(); off += 4096) {
                sink += data.get(ValueLayout.JAVA_BYTE, off);
                if ((off & ((64 << 20) - 1)) == 0) {
                    pagedIn.accept(done + off + (sink & 0)); // sink keeps the reads from being optimised away
                }
            }
        }
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
