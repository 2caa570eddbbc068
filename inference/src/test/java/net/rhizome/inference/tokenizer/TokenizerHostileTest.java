package net.rhizome.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.rhizome.inference.gguf.GgufFormatException;
import net.rhizome.inference.gguf.GgufTestFiles.Metadata;
import org.junit.jupiter.api.Test;

/** Broken vocabulary metadata is a {@link GgufFormatException} naming the key, never a crash later. */
class TokenizerHostileTest {

    private static void rejects(Metadata m, String message) {
        assertThatThrownBy(() -> SyntheticTokenizers.load(m.bytes()))
                .isInstanceOf(GgufFormatException.class).hasMessageContaining(message);
    }

    @Test
    void missingOrUnsupportedModel() {
        rejects(new Metadata().string("general.architecture", "llama"), "'tokenizer.ggml.model' is missing");
        rejects(new Metadata().string("tokenizer.ggml.model", "bert"), "tokenizer model 'bert' is not supported");
    }

    @Test
    void unknownPreTokenizer() {
        rejects(new Metadata().string("tokenizer.ggml.model", "gpt2").string("tokenizer.ggml.pre", "martian")
                .strings("tokenizer.ggml.tokens", "a").strings("tokenizer.ggml.merges"), "pre-tokenizer 'martian'");
    }

    @Test
    void missingAndMismatchedArrays() {
        rejects(new Metadata().string("tokenizer.ggml.model", "llama"), "missing metadata key 'tokenizer.ggml.tokens'");
        rejects(new Metadata().string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens"),
                "tokenizer.ggml.tokens has 0 entries");
        rejects(new Metadata().string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", "a", "b")
                .floats("tokenizer.ggml.scores", 0f), "tokenizer.ggml.scores has 1 entries but there are 2 tokens");
        rejects(new Metadata().string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", "a", "b")
                .ints("tokenizer.ggml.token_type", 1), "tokenizer.ggml.token_type has 1 entries");
        rejects(new Metadata().string("tokenizer.ggml.model", "llama").string("tokenizer.ggml.tokens", "a"),
                "'tokenizer.ggml.tokens' should be a string array");
    }

    @Test
    void badTokenTypesAndByteTokens() {
        rejects(new Metadata().string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", "a", "b")
                .ints("tokenizer.ggml.token_type", 1, 9), "token_type of token 1 is 9");
        rejects(new Metadata().string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", "a", "<0xZZ>")
                .ints("tokenizer.ggml.token_type", 1, 6), "byte token 1 has text '<0xZZ>'");
    }

    @Test
    void malformedMerges() {
        rejects(new Metadata().string("tokenizer.ggml.model", "gpt2").strings("tokenizer.ggml.tokens", "a", "b", "ab")
                .strings("tokenizer.ggml.merges", "a b", "ab"), "tokenizer.ggml.merges entry 1 ('ab')");
    }

    @Test
    void outOfRangeSpecialIdsMeanNone() {
        Tokenizer t = SyntheticTokenizers.load(new Metadata().string("tokenizer.ggml.model", "llama")
                .strings("tokenizer.ggml.tokens", "▁", "a", "b").u32("tokenizer.ggml.bos_token_id", 99)
                .u32("tokenizer.ggml.eos_token_id", -1).u32("tokenizer.ggml.unknown_token_id", -1).bytes());
        assertThat(t.bos()).isEqualTo(-1);
        assertThat(t.eos()).isEqualTo(-1);
        assertThat(t.addBosByDefault()).isFalse();
        assertThat(t.encode("ab", true, false)).containsExactly(0, 1, 2);
        // no token, no byte token and no unknown token for 'c': a clear error, not a bogus id
        assertThatThrownBy(() -> t.encode("c")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'c'");
    }
}
