package net.rhizome.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PreTokenizerTest {

    @Test
    void llama3SplitsLikeTiktoken() {
        PreTokenizer p = PreTokenizer.named("llama3").orElseThrow();
        assertThat(p.split("Hello world's 12345 !!!\n\n  x"))
                .containsExactly("Hello", " world", "'s", " ", "123", "45", " !!!\n\n", " ", " x");
        assertThat(p.ignoreMerges()).isTrue();
        assertThat(p.addBos()).isTrue();
    }

    @Test
    void qwen2SplitsDigitsOneByOne() {
        PreTokenizer p = PreTokenizer.named("qwen2").orElseThrow();
        assertThat(p.split("in 2024, I'M")).containsExactly("in", " ", "2", "0", "2", "4", ",", " I", "'M");
    }

    @Test
    void gpt2KeepsTrailingSpaceRunsApartFromTheWord() {
        PreTokenizer p = PreTokenizer.named("gpt-2").orElseThrow();
        assertThat(p.split("a   b\u3000c")).containsExactly("a", "  ", " b", "\u3000", "c");
    }

    @Test
    void laterExpressionsRefineEarlierPieces() {
        // deepseek-coder: newlines first, then letters, punctuation, CJK runs, single digits
        PreTokenizer p = PreTokenizer.named("deepseek-coder").orElseThrow();
        assertThat(p.split("ab12\n世界!")).containsExactly("ab", "1", "2", "\n", "世界", "!");
    }

    @Test
    void piecesAlwaysConcatenateToTheInput() {
        for (String name : new String[] {"default", "llama3", "qwen2", "gpt-2", "falcon", "starcoder", "deepseek-coder", "bloom", "gpt-4o", "tekken", "deepseek-v3"}) {
            PreTokenizer p = PreTokenizer.named(name).orElseThrow();
            String text = TokenizerTest.randomText(new java.util.Random(name.hashCode()), 400);
            assertThat(String.join("", p.split(text))).as(name).isEqualTo(text);
        }
    }

    @Test
    void unknownNamesAreNotGuessed() {
        assertThat(PreTokenizer.named("no-such-pre")).isEmpty();
    }
}
