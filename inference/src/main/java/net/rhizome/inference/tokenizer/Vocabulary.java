package net.rhizome.inference.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufFormatException;

/**
 * The token table of a GGUF model ({@code tokenizer.ggml.*} keys) with the special-token rules
 * llama.cpp applies when loading it: default special ids, end-of-generation tokens found by name,
 * and the order in which special tokens are matched in text.
 */
final class Vocabulary {
    static final int MAX_TOKENS = 1 << 21;
    static final int NONE = -1;

    /** Tokens that end a generation turn in common chat formats; llama.cpp treats them as control tokens. */
    private static final Set<String> END_OF_GENERATION_TEXTS = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<end_of_turn>", "<|endoftext|>",
            "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>");

    final String[] texts;
    final TokenType[] types;
    final float[] scores;
    final Map<String, Integer> ids;
    /** Same mapping as {@link #ids}, for allocation-free lookups of text ranges. */
    final TextIndex index;
    final int bos;
    final int eos;
    final int unk;
    final boolean addBos;
    final boolean addSpacePrefix;
    final boolean[] lstrip;
    final boolean[] rstrip;
    /** Ids of CONTROL, USER_DEFINED and UNKNOWN tokens, longest text first: the order they are matched in. */
    final int[] specialsByLength;
    private final Set<Integer> endOfGeneration;

    private Vocabulary(GgufFile gguf, boolean spm, boolean addBosDefault) {
        List<String> tokens = gguf.stringArray("tokenizer.ggml.tokens");
        int n = tokens.size();
        if (n == 0 || n > MAX_TOKENS) {
            throw new GgufFormatException(gguf.source() + ": tokenizer.ggml.tokens has " + n + " entries, expected 1 to " + MAX_TOKENS);
        }
        texts = tokens.toArray(String[]::new);
        scores = gguf.has("tokenizer.ggml.scores") ? gguf.floatArray("tokenizer.ggml.scores") : new float[n];
        requireLength(gguf, "tokenizer.ggml.scores", scores.length, n);
        types = new TokenType[n];
        if (gguf.has("tokenizer.ggml.token_type")) {
            int[] raw = gguf.intArray("tokenizer.ggml.token_type");
            requireLength(gguf, "tokenizer.ggml.token_type", raw.length, n);
            for (int i = 0; i < n; i++) {
                try {
                    types[i] = TokenType.fromId(raw[i]);
                } catch (IllegalArgumentException e) {
                    throw new GgufFormatException(gguf.source() + ": tokenizer.ggml.token_type of token " + i + " is " + raw[i]
                            + ", expected 0 to 6");
                }
            }
        } else {
            Arrays.fill(types, TokenType.NORMAL);
        }
        ids = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            ids.put(texts[i], i); // a duplicated text maps to its last id, as in llama.cpp
        }
        index = new TextIndex(texts, true);
        bos = specialId(gguf, "tokenizer.ggml.bos_token_id", spm ? 1 : 11);
        eos = specialId(gguf, "tokenizer.ggml.eos_token_id", spm ? 2 : 11);
        unk = specialId(gguf, "tokenizer.ggml.unknown_token_id", spm ? 0 : NONE);
        int eot = specialId(gguf, "tokenizer.ggml.eot_token_id", NONE);
        int eom = specialId(gguf, "tokenizer.ggml.eom_token_id", NONE);
        addBos = gguf.optBoolean("tokenizer.ggml.add_bos_token").orElse(addBosDefault);
        addSpacePrefix = spm && gguf.optBoolean("tokenizer.ggml.add_space_prefix").orElse(true);

        endOfGeneration = new HashSet<>();
        for (int id : new int[] {eos, eot, eom}) {
            if (id != NONE) {
                endOfGeneration.add(id);
            }
        }
        for (int i = 0; i < n; i++) {
            if (END_OF_GENERATION_TEXTS.contains(texts[i])) {
                endOfGeneration.add(i);
                types[i] = TokenType.CONTROL;
            }
        }

        List<Integer> specials = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if ((types[i] == TokenType.CONTROL || types[i] == TokenType.USER_DEFINED || types[i] == TokenType.UNKNOWN)
                    && !texts[i].isEmpty()) {
                specials.add(i);
            }
        }
        specials.sort(Comparator.comparingInt((Integer i) -> -utf8Length(texts[i])).thenComparingInt(i -> i));
        specialsByLength = specials.stream().mapToInt(Integer::intValue).toArray();

        lstrip = new boolean[n];
        rstrip = new boolean[n];
        String name = gguf.optString("general.name").orElse("").toLowerCase(Locale.ROOT);
        if (name.contains("phi-3") || name.contains("phi3")) {
            // Phi-3 chat markers swallow the whitespace that follows them (llama.cpp does the same)
            for (int id : specialsByLength) {
                rstrip[id] = true;
            }
            setStrip(rstrip, "</s>", true);
            for (String t : List.of("<unk>", "<s>", "<|endoftext|>")) {
                setStrip(rstrip, t, false);
            }
        }
    }

    static Vocabulary load(GgufFile gguf, boolean spm, boolean addBosDefault) {
        return new Vocabulary(gguf, spm, addBosDefault);
    }

    private void setStrip(boolean[] flags, String text, boolean value) {
        Integer id = ids.get(text);
        if (id != null) {
            flags[id] = value;
        }
    }

    private static void requireLength(GgufFile gguf, String key, int actual, int expected) {
        if (actual != expected) {
            throw new GgufFormatException(gguf.source() + ": " + key + " has " + actual + " entries but there are " + expected + " tokens");
        }
    }

    /** A special token id from metadata; absent, "none" (-1 / 2^32-1) or out of range means {@code NONE}. */
    private int specialId(GgufFile gguf, String key, int fallback) {
        OptionalLong v = gguf.optInteger(key);
        long id = v.isPresent() ? v.getAsLong() : fallback;
        return id >= 0 && id < texts.length ? (int) id : NONE;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    int size() {
        return texts.length;
    }

    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? NONE : id;
    }

    boolean isEndOfGeneration(int id) {
        return endOfGeneration.contains(id);
    }

    void checkId(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + texts.length);
        }
    }
}
