package net.rhizome.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufWriter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential tests against llama.cpp ({@code de.kherud:llama}): a one-layer llama model carrying a
 * vocabulary is written, loaded into llama.cpp, and both tokenizers encode the same texts. This covers
 * the pre-tokenizers that have no vector files (Llama 3, Qwen 2, …, run on GPT-2's vocabulary and
 * merges) and SentencePiece on random text.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LlamaCppTokenizerTest {
    private static final int DIM = 32;

    static {
        LlamaModel.setLogger(null, (level, msg) -> { });
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen2", "default", "dbrx", "starcoder", "bloom", "gpt-4o", "tekken", "deepseek-v3"})
    void encodesLikeLlamaCpp(String pre, @TempDir Path dir) throws Exception {
        Path vectors = TokenizerVectorsTest.vectorsDir();
        Path model = dir.resolve(pre + ".gguf");
        writeModel(vectors.resolve("ggml-vocab-gpt-2.gguf"), pre, model);
        compareWithLlamaCpp(pre, model, texts(vectors));
    }

    /** SentencePiece on random text (the vector files cover fixed texts), including the Phi-3 strip rules. */
    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3"})
    void sentencePieceEncodesLikeLlamaCpp(String family, @TempDir Path dir) throws Exception {
        Path vectors = TokenizerVectorsTest.vectorsDir();
        Path model = dir.resolve(family + ".gguf");
        writeModel(vectors.resolve("ggml-vocab-" + family + ".gguf"), null, model);
        List<String> texts = texts(vectors);
        texts.addAll(List.of("<|user|>\nHi<|end|>\n<|assistant|>\n", "</s> x <s>y", "  <|endoftext|>  z"));
        compareWithLlamaCpp(family, model, texts);
    }

    private static void compareWithLlamaCpp(String name, Path model, List<String> texts) throws Exception {
        Tokenizer ours;
        try (GgufFile f = GgufFile.open(model)) {
            ours = Tokenizer.fromGguf(f);
        }
        List<String> failures = new ArrayList<>();
        try (LlamaModel reference = new LlamaModel(new ModelParameters().setModel(model.toString())
                .setCtxSize(64).setThreads(1).setThreadsBatch(1).skipWarmup())) {
            for (String text : texts) {
                int[] want = reference.encode(text); // llama.cpp: no BOS, special tokens parsed
                int[] got = ours.encode(text, false, true);
                if (!Arrays.equals(got, want)) {
                    failures.add(text.replace("\n", "\\n") + "\n   want " + Arrays.toString(want) + "\n   got  " + Arrays.toString(got));
                }
            }
        }
        assertThat(failures).as(name + ": %d texts", texts.size()).isEmpty();
    }

    /** The llama.cpp vector texts plus random mixes of scripts, digits, whitespace and contractions. */
    private static List<String> texts(Path vectors) throws Exception {
        String inp = Files.readString(vectors.resolve("ggml-vocab-gpt-2.gguf.inp"), StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>(Arrays.asList(inp.split("\n__ggml_vocab_test__\n", -1)));
        texts.removeLast();
        texts.removeIf(String::isEmpty); // llama.cpp's encode of "" is not comparable (the binding returns nothing)
        Random random = new Random(11);
        String[] parts = {"Hello", " world", "'s", "'LL", " 2024", "12345", "\n\n", "  ", "\t", "é", "Ж", "世界", "🦙", "...",
            " !!", "\r\n", "\u00a0", "x", "I'm", " 3.14", "😶‍🌫️", "٣", "ﬁ"};
        for (int i = 0; i < 150; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 1 + random.nextInt(12); j > 0; j--) {
                sb.append(parts[random.nextInt(parts.length)]);
            }
            texts.add(sb.toString());
        }
        return texts;
    }

    /** A one-layer llama model carrying the vocabulary of {@code vocabFile}; {@code pre} replaces its pre-tokenizer if not null. */
    private static void writeModel(Path vocabFile, String pre, Path out) throws Exception {
        GgufWriter w = new GgufWriter();
        int vocab;
        try (GgufFile v = GgufFile.open(vocabFile)) {
            List<String> tokens = v.stringArray("tokenizer.ggml.tokens");
            vocab = tokens.size();
            w.putString("general.architecture", "llama")
                    .putString("general.name", v.optString("general.name").orElse("test"))
                    .putUInt32("llama.context_length", 64)
                    .putUInt32("llama.embedding_length", DIM)
                    .putUInt32("llama.block_count", 1)
                    .putUInt32("llama.feed_forward_length", DIM)
                    .putUInt32("llama.attention.head_count", 4)
                    .putUInt32("llama.attention.head_count_kv", 4)
                    .putUInt32("llama.rope.dimension_count", DIM / 4)
                    .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                    .putString("tokenizer.ggml.model", v.string("tokenizer.ggml.model"))
                    .putString("tokenizer.ggml.pre", pre != null ? pre : v.string("tokenizer.ggml.pre"))
                    .putStringArray("tokenizer.ggml.tokens", tokens)
                    .putInt32Array("tokenizer.ggml.token_type", v.intArray("tokenizer.ggml.token_type"))
                    .putUInt32("tokenizer.ggml.bos_token_id", (int) v.integer("tokenizer.ggml.bos_token_id"))
                    .putUInt32("tokenizer.ggml.eos_token_id", (int) v.integer("tokenizer.ggml.eos_token_id"));
            if (v.has("tokenizer.ggml.merges")) {
                w.putStringArray("tokenizer.ggml.merges", v.stringArray("tokenizer.ggml.merges"));
            }
            if (v.has("tokenizer.ggml.scores")) {
                w.putFloatArray("tokenizer.ggml.scores", v.floatArray("tokenizer.ggml.scores"));
                w.putUInt32("tokenizer.ggml.unknown_token_id", (int) v.integer("tokenizer.ggml.unknown_token_id"));
            }
        }
        float[] ones = new float[DIM];
        Arrays.fill(ones, 1f);
        w.addF32("token_embd.weight", new long[] {DIM, vocab}, new float[DIM * vocab]);
        w.addF32("output_norm.weight", new long[] {DIM}, ones);
        w.addF32("blk.0.attn_norm.weight", new long[] {DIM}, ones);
        w.addF32("blk.0.ffn_norm.weight", new long[] {DIM}, ones);
        for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}) {
            w.addF32("blk.0." + m + ".weight", new long[] {DIM, DIM}, new float[DIM * DIM]);
        }
        w.write(out);
    }
}
