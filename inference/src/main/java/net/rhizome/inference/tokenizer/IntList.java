package net.rhizome.inference.tokenizer;

import java.util.Arrays;

/** Growable list of ints, so token ids are not boxed while encoding. */
final class IntList {
    private int[] values = new int[16];
    private int size;

    void add(int v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
