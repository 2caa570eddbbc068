package net.rhizome.inference.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our renderings against llama.cpp evaluating the Jinja source of each template (its minja
 * engine, {@code --jinja}), on a tiny model that carries the template.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LlamaCppChatTemplateTest {
    private static final int DIM = 32;

    static {
        LlamaModel.setLogger(null, (level, msg) -> { });
    }

    private static final String SYSTEM = "You are a helpful assistant";

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"chatml-qwen2, false", "chatml-qwen2, true", "llama2-meta, false", "llama2-meta, true", "llama3, false",
        "llama3, true", "mistral-v1, false", "mistral-v1, true", "zephyr, false", "zephyr, true", "phi3-mini, false",
        "phi3-mini, true"})
    void rendersLikeTheJinjaTemplate(String name, boolean withSystem) throws Exception {
        String source = switch (name) {
            case "chatml-qwen2" -> ChatTemplateTest.QWEN2;
            case "llama2-meta" -> ChatTemplateTest.LLAMA2;
            case "llama3" -> ChatTemplateTest.LLAMA3;
            case "mistral-v1" -> ChatTemplateTest.MISTRAL_V1;
            case "zephyr" -> ChatTemplateTest.ZEPHYR;
            default -> ChatTemplateTest.PHI3;
        };
        List<ChatMessage> turns = List.of(ChatMessage.user("Hello "), ChatMessage.assistant(" Hi there"),
                ChatMessage.user("Who are you?\nTell me."));
        String theirs;
        try (LlamaModel m = new LlamaModel(new ModelParameters().setModel(writeModel(source).toString())
                .setCtxSize(64).setThreads(1).skipWarmup().enableJinja())) {
            theirs = m.applyTemplate(new InferenceParameters("").setMessages(withSystem ? SYSTEM : null,
                    turns.stream().map(t -> new Pair<>(t.role(), t.content())).toList()));
        }
        List<ChatMessage> messages = new ArrayList<>(turns);
        if (withSystem) {
            messages.addFirst(ChatMessage.system(SYSTEM));
        }
        assertThat(ChatTemplate.recognise(source, "</s>").orElseThrow().render(messages, true)).isEqualTo(theirs);
    }

    private Path writeModel(String template) throws Exception {
        String dirName = System.getenv("RHIZOME_TOKENIZER_VECTORS");
        assumeThat(dirName).as("RHIZOME_TOKENIZER_VECTORS is not set (or empty); skipping").isNotBlank();
        GgufWriter w = new GgufWriter();
        int vocab;
        try (GgufFile v = GgufFile.open(Path.of(dirName, "ggml-vocab-phi-3.gguf"))) {
            List<String> tokens = v.stringArray("tokenizer.ggml.tokens");
            vocab = tokens.size();
            w.putString("general.architecture", "llama").putString("general.name", "template-test")
                    .putUInt32("llama.context_length", 64).putUInt32("llama.embedding_length", DIM)
                    .putUInt32("llama.block_count", 1).putUInt32("llama.feed_forward_length", DIM)
                    .putUInt32("llama.attention.head_count", 4).putUInt32("llama.attention.head_count_kv", 4)
                    .putUInt32("llama.rope.dimension_count", DIM / 4).putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                    .putString("tokenizer.ggml.model", "llama").putString("tokenizer.ggml.pre", "default")
                    .putStringArray("tokenizer.ggml.tokens", tokens)
                    .putFloatArray("tokenizer.ggml.scores", v.floatArray("tokenizer.ggml.scores"))
                    .putInt32Array("tokenizer.ggml.token_type", v.intArray("tokenizer.ggml.token_type"))
                    .putUInt32("tokenizer.ggml.bos_token_id", 1).putUInt32("tokenizer.ggml.eos_token_id", 2)
                    .putUInt32("tokenizer.ggml.unknown_token_id", 0)
                    .putString("tokenizer.chat_template", template);
        }
        float[] ones = new float[DIM];
        Arrays.fill(ones, 1f);
        w.addF32("token_embd.weight", new long[] {DIM, vocab}, new float[DIM * vocab]);
        w.addF32("output_norm.weight", new long[] {DIM}, ones);
        w.addF32("blk.0.attn_norm.weight", new long[] {DIM}, ones);
        w.addF32("blk.0.ffn_norm.weight", new long[] {DIM}, ones);
        for (String t : new String[] {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}) {
            w.addF32("blk.0." + t + ".weight", new long[] {DIM, DIM}, new float[DIM * DIM]);
        }
        Path out = dir.resolve("t.gguf");
        w.write(out);
        return out;
    }
}
