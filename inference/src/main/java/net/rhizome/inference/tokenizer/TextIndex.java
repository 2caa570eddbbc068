package net.rhizome.inference.tokenizer;

import java.util.Arrays;

/**
 * Open-addressing map from strings to ints that is queried with a range of a larger string (or two
 * ranges joined by a space), so the tokenizers' inner loops look up candidate tokens and merges
 * without allocating substrings. Hashes are String.hashCode-compatible polynomials over the chars.
 */
final class TextIndex {
    private final String[] keys;
    private final int[] values;
    private final int mask;

    /** Indexes {@code keys[i] -> i}; for a repeated key, {@code lastWins} picks the last index, otherwise the first. */
    TextIndex(String[] entries, boolean lastWins) {
        int capacity = Integer.highestOneBit(Math.max(4, entries.length * 2 + 1)) << 1;
        keys = new String[capacity];
        values = new int[capacity];
        mask = capacity - 1;
        Arrays.fill(values, -1);
        for (int i = 0; i < entries.length; i++) {
            String key = entries[i];
            int slot = mix(key.hashCode()) & mask;
            while (keys[slot] != null && !keys[slot].equals(key)) {
                slot = (slot + 1) & mask;
            }
            if (keys[slot] == null || lastWins) {
                keys[slot] = key;
                values[slot] = i;
            }
        }
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    private static int hash(String s, int start, int end, int h) {
        for (int i = start; i < end; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h;
    }

    /** The value of {@code s[start, end)}, or -1. */
    int get(String s, int start, int end) {
        int len = end - start;
        int slot = mix(hash(s, start, end, 0)) & mask;
        for (String key; (key = keys[slot]) != null; slot = (slot + 1) & mask) {
            if (key.length() == len && key.regionMatches(0, s, start, len)) {
                return values[slot];
            }
        }
        return -1;
    }

    /** The value of {@code s[a, a + lenA) + " " + s[b, b + lenB)}, or -1. */
    int getPair(String s, int a, int lenA, int b, int lenB) {
        int h = 31 * hash(s, a, a + lenA, 0) + ' ';
        int slot = mix(hash(s, b, b + lenB, h)) & mask;
        for (String key; (key = keys[slot]) != null; slot = (slot + 1) & mask) {
            if (key.length() == lenA + 1 + lenB && key.charAt(lenA) == ' '
                    && key.regionMatches(0, s, a, lenA) && key.regionMatches(lenA + 1, s, b, lenB)) {
                return values[slot];
            }
        }
        return -1;
    }
}
