package net.rhizome.inference.gguf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Small GGUF images for tests in other packages. */
public final class GgufTestFiles {
    private GgufTestFiles() {
    }

    /** Builder for tensor-less GGUF v3 files, so other packages can write broken vocabularies. */
    public static final class Metadata {
        private final java.util.List<java.util.function.Consumer<GgufBytes>> entries = new ArrayList<>();

        public Metadata string(String key, String value) {
            entries.add(b -> b.kvString(key, value));
            return this;
        }

        public Metadata u32(String key, int value) {
            entries.add(b -> b.kvU32(key, value));
            return this;
        }

        public Metadata strings(String key, String... values) {
            entries.add(b -> b.kvStrings(key, values));
            return this;
        }

        public Metadata ints(String key, int... values) {
            entries.add(b -> b.kvInts(key, values));
            return this;
        }

        public Metadata floats(String key, float... values) {
            entries.add(b -> b.kvFloats(key, values));
            return this;
        }

        public byte[] bytes() {
            GgufBytes b = GgufBytes.header(3, 0, entries.size());
            entries.forEach(e -> e.accept(b));
            return b.bytes();
        }
    }

    /** A tensor-less GGUF v3 file with one string metadata entry. */
    public static byte[] withMetadata(String key, String value) {
        return GgufBytes.header(3, 0, 1).kvString(key, value).bytes();
    }

    /**
     * A valid GGUF v3 file with a metadata entry of every value type and three tensors (F32 4x2,
     * Q8_0 64, Q4_K 256) at 32-byte alignment.
     */
    public static byte[] smallModel() {
        GgufBytes b = GgufBytes.header(3, 3, 8)
                .kvString("general.architecture", "llama")
                .kvU32("llama.block_count", 2)
                .kvF32("llama.rope.freq_base", 10000f)
                .kvStrings("tokenizer.ggml.tokens", "a", "b", "c")
                .kvInts("tokenizer.ggml.token_type", 1, 1, 1)
                .kvFloats("tokenizer.ggml.scores", 0f, -1f, -2f);
        b.str("flag").u32(GgufFile.ValueType.BOOL).u8(1);
        b.str("big").u32(GgufFile.ValueType.INT64).u64(1L << 40);
        b.tensorInfo("w", GgmlType.F32, 0, 4, 2)
                .tensorInfo("q", GgmlType.Q8_0, 32, 64)
                .tensorInfo("k", GgmlType.Q4_K, 128, 256);
        b.pad(32);
        for (int i = 0; i < 8; i++) {
            b.f32(i);
        }
        b.zeros(68).pad(32).zeros(GgmlType.Q4_K.bytesPerBlock());
        return b.bytes();
    }

    /**
     * A SentencePiece vocabulary: unk, BOS, EOS, 256 byte tokens, a few merges of "a", "b", "c" and
     * the space mark, one control token {@code <|im_end|>} and one user-defined token {@code <tool>}.
     */
    public static byte[] sentencePieceVocabulary() {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
            scores.add(0f);
        }
        String[] pieces = {"▁", "a", "b", "c", "▁a", "ab", "abc", "▁ab", "bc", "▁abc"};
        float[] pieceScores = {-1, -2, -2, -2, -3, -4, -5, -6, -3.5f, -7};
        for (int i = 0; i < pieces.length; i++) {
            tokens.add(pieces[i]);
            types.add(1);
            scores.add(pieceScores[i]);
        }
        tokens.addAll(List.of("<|im_end|>", "<tool>"));
        types.addAll(List.of(3, 4));
        scores.addAll(List.of(0f, 0f));
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
        }
        return GgufBytes.header(3, 0, 6)
                .kvString("tokenizer.ggml.model", "llama")
                .kvStrings("tokenizer.ggml.tokens", tokens.toArray(String[]::new))
                .kvFloats("tokenizer.ggml.scores", s)
                .kvInts("tokenizer.ggml.token_type", types.stream().mapToInt(Integer::intValue).toArray())
                .kvU32("tokenizer.ggml.bos_token_id", 1)
                .kvU32("tokenizer.ggml.eos_token_id", 2)
                .bytes();
    }

    /**
     * A byte-level BPE vocabulary (pre-tokenizer {@code gpt-2}): the 256 byte symbols, merges building
     * "Ġa", "ab", "Ġab" and "abc", and the control token {@code <|endoftext|>}.
     */
    public static byte[] bytePairVocabulary() {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            tokens.add(String.valueOf(printable ? (char) b : (char) (256 + tokens.stream().filter(t -> t.charAt(0) >= 256).count())));
        }
        String[] merges = {"Ġ a", "a b", "Ġa b", "ab c", "Ġ Ġ"};
        tokens.addAll(List.of("Ġa", "ab", "Ġab", "abc", "ĠĠ", "<|endoftext|>"));
        int[] types = new int[tokens.size()];
        Arrays.fill(types, 1);
        types[types.length - 1] = 3;
        return GgufBytes.header(3, 0, 7)
                .kvString("tokenizer.ggml.model", "gpt2")
                .kvString("tokenizer.ggml.pre", "gpt-2")
                .kvStrings("tokenizer.ggml.tokens", tokens.toArray(String[]::new))
                .kvInts("tokenizer.ggml.token_type", types)
                .kvStrings("tokenizer.ggml.merges", merges)
                .kvU32("tokenizer.ggml.bos_token_id", tokens.size() - 1)
                .kvU32("tokenizer.ggml.eos_token_id", tokens.size() - 1)
                .bytes();
    }
}
