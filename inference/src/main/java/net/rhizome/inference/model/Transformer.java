package net.rhizome.inference.model;

import net.rhizome.inference.kernel.Dot;
import net.rhizome.inference.kernel.Matmul;
import net.rhizome.inference.kernel.Ops;
import net.rhizome.inference.kernel.Parallel;
import net.rhizome.inference.quant.Dequant;
import net.rhizome.inference.quant.WeightMatrix;

/**
 * The decoder-only forward pass shared by the llama and qwen families. Stateless and
 * thread-safe: the KV cache lives in a {@link Session}. Every position is computed by the same
 * per-row kernels whether it arrives alone (decode) or in a batch (prefill), so its logits have
 * the same bits either way.
 */
public final class Transformer {
    private final ModelConfig c;
    private final ModelWeights w;
    private final Rope rope;

    public Transformer(ModelConfig config, ModelWeights weights) {
        this.c = config;
        this.w = weights;
        this.rope = new Rope(config);
    }

    public ModelConfig config() {
        return c;
    }

    public ModelWeights weights() {
        return w;
    }

    /** A fresh KV cache for up to {@code maxContext} positions (capped at the model's context length). */
    public Session newSession(int maxContext) {
        return new Session(this, Math.min(maxContext, c.contextLength()));
    }

    /**
     * Runs {@code tokens} at positions {@code s.position() ..}, appending to the cache.
     *
     * @param hidden return the final normalised hidden states ({@code dim} floats per token) instead of logits
     * @return logits (or hidden states) of tokens {@code logitsFrom ..}, {@code vocab} (or {@code dim}) floats each
     */
    float[] forward(Session s, int[] tokens, int logitsFrom, boolean hidden, Parallel par) {
        int n = tokens.length;
        int p0 = s.position();
        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.ffnDim();
        float[][] scratch = new float[par.threads()][Math.max(Math.max(dim, qDim), ffn)];
        float[] x = new float[n * dim];
        for (int t = 0; t < n; t++) {
            if (tokens[t] < 0 || tokens[t] >= c.vocab()) {
                throw new IllegalArgumentException("token id " + tokens[t] + " is outside the vocabulary of " + c.vocab());
            }
            Dequant.row(w.tokenEmbedding(), tokens[t], x, t * dim);
        }
        float[][] ropeTables = new float[n][];
        for (int t = 0; t < n; t++) {
            ropeTables[t] = rope.table(p0 + t);
        }
        float[] xb = new float[n * dim];
        float[] q = new float[n * qDim];
        float[] k = new float[n * kvDim];
        float[] v = new float[n * kvDim];
        float[] att = new float[n * qDim];
        float[] o = new float[n * dim];
        float[] gate = new float[n * ffn];
        float[] up = new float[n * ffn];
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights lw = w.layers().get(l);
            for (int t = 0; t < n; t++) {
                Ops.rmsNorm(x, t * dim, lw.attnNorm(), xb, t * dim, dim, c.rmsEps());
            }
            Matmul.apply(lw.wq(), xb, q, n, par, scratch);
            Matmul.apply(lw.wk(), xb, k, n, par, scratch);
            Matmul.apply(lw.wv(), xb, v, n, par, scratch);
            for (int t = 0; t < n; t++) {
                if (lw.bq() != null) {
                    addBias(q, t * qDim, lw.bq());
                    addBias(k, t * kvDim, lw.bk());
                    addBias(v, t * kvDim, lw.bv());
                }
                if (lw.qNorm() != null) {
                    headNorm(q, t * qDim, c.heads(), lw.qNorm());
                    headNorm(k, t * kvDim, c.kvHeads(), lw.kNorm());
                }
                rope.apply(q, t * qDim, c.heads(), c.headDim(), ropeTables[t]);
                rope.apply(k, t * kvDim, c.kvHeads(), c.headDim(), ropeTables[t]);
            }
            System.arraycopy(k, 0, s.keys[l], p0 * kvDim, n * kvDim);
            System.arraycopy(v, 0, s.values[l], p0 * kvDim, n * kvDim);
            attention(s, l, q, att, n, p0, par);
            Matmul.apply(lw.wo(), att, o, n, par, scratch);
            Ops.add(x, o, n * dim);
            for (int t = 0; t < n; t++) {
                Ops.rmsNorm(x, t * dim, lw.ffnNorm(), xb, t * dim, dim, c.rmsEps());
            }
            Matmul.apply(lw.gate(), xb, gate, n, par, scratch);
            Matmul.apply(lw.up(), xb, up, n, par, scratch);
            par.forRange(n * ffn, (worker, from, to) -> Ops.swiglu(gate, up, from, to));
            Matmul.apply(lw.down(), gate, o, n, par, scratch);
            Ops.add(x, o, n * dim);
        }
        int first = logitsFrom;
        int outs = n - first;
        if (outs == 0) {
            s.advance(n);
            return new float[0];
        }
        float[] xn = new float[outs * dim];
        for (int t = 0; t < outs; t++) {
            Ops.rmsNorm(x, (first + t) * dim, w.outputNorm(), xn, t * dim, dim, c.rmsEps());
        }
        if (hidden) {
            s.advance(n);
            return xn;
        }
        float[] logits = new float[outs * c.vocab()];
        WeightMatrix out = w.output();
        Matmul.apply(out, xn, logits, outs, par, scratch);
        s.advance(n);
        return logits;
    }

    private static void addBias(float[] x, int off, float[] b) {
        for (int i = 0; i < b.length; i++) {
            x[off + i] += b[i];
        }
    }

    private void headNorm(float[] x, int off, int heads, float[] weight) {
        int hd = c.headDim();
        for (int h = 0; h < heads; h++) {
            Ops.rmsNorm(x, off + h * hd, weight, x, off + h * hd, hd, c.rmsEps());
        }
    }

    /** Causal attention of every (token, head) pair, split over threads by pair. */
    private void attention(Session s, int layer, float[] q, float[] att, int n, int p0, Parallel par) {
        int hd = c.headDim(), qDim = c.qDim(), kvDim = c.kvDim();
        int group = c.heads() / c.kvHeads();
        float scale = 1f / (float) Math.sqrt(hd);
        float[] keys = s.keys[layer], values = s.values[layer];
        java.util.Arrays.fill(att, 0, n * qDim, 0f);
        par.forRange(n * c.heads(), (worker, from, to) -> {
            float[] scores = new float[p0 + n];
            float[] lanes = new float[Dot.LANES];
            for (int item = from; item < to; item++) {
                int t = item / c.heads(), h = item % c.heads();
                int pos = p0 + t;
                int qo = t * qDim + h * hd;
                int kvo = (h / group) * hd;
                Dot.dots(q, qo, keys, kvo, kvDim, pos + 1, hd, scale, scores, lanes);
                Ops.softmax(scores, pos + 1);
                Ops.weightedSum(scores, pos + 1, values, kvo, kvDim, att, qo, hd);
            }
        });
    }
}
