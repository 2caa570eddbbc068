package net.rhizome.inference.model;

import net.rhizome.inference.kernel.Parallel;

/** One sequence's KV cache and position. Not thread-safe; one per running job. */
public final class Session {
    private final Transformer model;
    final float[][] keys;
    final float[][] values;
    private final int capacity;
    private int position;

    Session(Transformer model, int capacity) {
        ModelConfig c = model.config();
        this.model = model;
        this.capacity = capacity;
        long floats = (long) capacity * c.kvDim();
        if (floats > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("context of " + capacity + " positions is too large for the KV cache");
        }
        this.keys = new float[c.layers()][(int) floats];
        this.values = new float[c.layers()][(int) floats];
    }

    public int position() {
        return position;
    }

    public int capacity() {
        return capacity;
    }

    /** Forgets every position from {@code pos} on, so they can be recomputed. */
    public void rewind(int pos) {
        if (pos < 0 || pos > position) {
            throw new IllegalArgumentException("cannot rewind to " + pos + " from " + position);
        }
        position = pos;
    }

    /**
     * Runs {@code tokens} as the next positions.
     *
     * @param logitsFrom index of the first token whose logits are wanted ({@code tokens.length - 1}: only the last)
     * @return the logits of tokens {@code logitsFrom ..}, {@code vocab} floats each
     */
    public float[] forward(int[] tokens, int logitsFrom, Parallel par) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to run");
        }
        if (logitsFrom < 0 || logitsFrom > tokens.length) {
            throw new IllegalArgumentException("logitsFrom " + logitsFrom + " outside 0.." + tokens.length);
        }
        if (position + tokens.length > capacity) {
            throw new IllegalArgumentException("context full: " + position + " + " + tokens.length + " tokens exceed the context of " + capacity);
        }
        return model.forward(this, tokens, logitsFrom, false, par);
    }

    /** Like {@link #forward} but returns the final normalised hidden state of each token from {@code from} on. */
    public float[] hiddenStates(int[] tokens, int from, Parallel par) {
        if (tokens.length == 0 || position + tokens.length > capacity || from < 0 || from > tokens.length) {
            throw new IllegalArgumentException("bad hidden-state request: " + tokens.length + " tokens from " + from + " at position " + position);
        }
        return model.forward(this, tokens, from, true, par);
    }

    void advance(int n) {
        position += n;
    }
}
