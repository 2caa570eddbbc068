package net.rhizome.inference.sampler;

import java.util.Arrays;

/**
 * Chooses the next token from logits, deterministically: the chain is repetition penalty, top-k,
 * top-p, min-p (on the untempered distribution, as llama.cpp orders them), then temperature and a
 * draw with {@link CounterRng}. Ties are broken by the lower token id; probabilities are computed
 * in double with {@link StrictMath#exp} and summed in a fixed order.
 */
public final class Sampler {
    private Sampler() {}

    /**
     * @param logits   vocabulary logits at {@code offset} (not modified)
     * @param history  tokens so far (prompt and generated), for the repetition penalty
     * @param position index of the token being generated (0 = first generated token)
     */
    public static int sample(float[] logits, int offset, int vocab, int[] history, int historyLength,
            SamplingParams p, String jobId, long position) {
        float[] l = Arrays.copyOfRange(logits, offset, offset + vocab);
        for (float f : l) {
            if (Float.isNaN(f)) {
                throw new IllegalStateException("logits contain NaN at position " + position);
            }
        }
        if (p.repetitionPenalty() != 1f) {
            boolean[] seen = new boolean[vocab];
            for (int i = Math.max(0, historyLength - p.repeatLastN()); i < historyLength; i++) {
                int t = history[i];
                if (t >= 0 && t < vocab && !seen[t]) {
                    seen[t] = true;
                    l[t] = l[t] > 0 ? l[t] / p.repetitionPenalty() : l[t] * p.repetitionPenalty();
                }
            }
        }
        if (p.isGreedy()) {
            return argmax(l);
        }
        int[] order = sortedDescending(l);
        int keep = p.topK() > 0 ? Math.min(p.topK(), vocab) : vocab;
        double[] probs = softmax(l, order, keep, 1f);
        if (p.topP() < 1f) {
            double cum = 0;
            for (int i = 0; i < keep; i++) {
                cum += probs[i];
                if (cum >= p.topP()) {
                    keep = i + 1;
                    break;
                }
            }
        }
        if (p.minP() > 0f) {
            double threshold = p.minP() * probs[0];
            int k = 1;
            while (k < keep && probs[k] >= threshold) {
                k++;
            }
            keep = k;
        }
        double[] tempered = softmax(l, order, keep, p.temperature());
        double u = CounterRng.uniform(p.seed(), jobId, position);
        double cum = 0;
        for (int i = 0; i < keep; i++) {
            cum += tempered[i];
            if (u < cum) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    /** Index of the largest logit, the lowest index among equals. */
    public static int argmax(float[] l) {
        int best = 0;
        for (int i = 1; i < l.length; i++) {
            if (l[i] > l[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Token ids by logit, largest first, lower id first among equals. */
    static int[] sortedDescending(float[] l) {
        long[] keys = new long[l.length];
        for (int i = 0; i < l.length; i++) {
            int b = Float.floatToIntBits(l[i]);
            int sortable = b ^ ((b >> 31) & 0x7FFFFFFF);
            keys[i] = ((long) sortable << 32) | (Integer.MAX_VALUE - i);
        }
        Arrays.sort(keys);
        int[] order = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            order[i] = Integer.MAX_VALUE - (int) keys[l.length - 1 - i];
        }
        return order;
    }

    /** Probabilities of the first {@code keep} ids of {@code order} at temperature {@code t}, normalised over them. */
    private static double[] softmax(float[] l, int[] order, int keep, float t) {
        double max = l[order[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = StrictMath.exp((l[order[i]] - max) / t);
            sum += p[i];
        }
        for (int i = 0; i < keep; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
