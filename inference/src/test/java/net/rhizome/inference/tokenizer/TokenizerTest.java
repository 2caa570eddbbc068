package net.rhizome.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Behaviour beyond the llama.cpp vectors, on the real vocabularies in {@code RHIZOME_TOKENIZER_VECTORS}. */
class TokenizerTest {
    private static final String[] ALPHABET = {"a", "b", "Z", " ", "  ", "\n", "\t", "'s", "1", "42", "é", "ß", "Ж", "世", "界",
        "🦙", "😶‍🌫️", "!", "...", "<", "|", ">", "\u00a0", "\u3000"};

    /** Random text drawn from a mix of scripts, whitespace, digits, emoji and punctuation. */
    static String randomText(Random random, int parts) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    @Test
    void decodeInvertsEncodeForEveryFamily() throws Exception {
        for (String family : new String[] {"llama-spm", "phi-3", "gpt-2", "falcon", "starcoder", "deepseek-coder"}) {
            Tokenizer t = TokenizerVectorsTest.load(family);
            Random random = new Random(family.hashCode());
            for (int i = 0; i < 300; i++) {
                String text = randomText(random, random.nextInt(20));
                assertThat(t.decode(t.encode(text))).as(family + " round trip of %s", text).isEqualTo(text);
            }
        }
    }

    @Test
    void streamingDecoderHoldsBackSplitCharacters() throws Exception {
        Tokenizer spm = TokenizerVectorsTest.load("llama-spm");
        int[] ids = spm.encode("🦙 héllo 世界");
        // the llama has no token of its own: it falls back to four byte tokens
        assertThat(Arrays.stream(ids).filter(id -> spm.tokenType(id) == TokenType.BYTE).count()).isGreaterThanOrEqualTo(4);
        StreamingDecoder decoder = spm.streamingDecoder();
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            String chunk = decoder.accept(id);
            assertThat(chunk).doesNotContain("\uFFFD");
            text.append(chunk);
        }
        text.append(decoder.finish());
        assertThat(text.toString()).isEqualTo(" 🦙 héllo 世界");
    }

    @Test
    void streamingDecoderReplacesBytesThatCanNeverBeText() {
        assertThat(StreamingDecoder.completePrefix(new byte[] {'a', (byte) 0xF0, (byte) 0x9F})).isEqualTo(1);
        assertThat(StreamingDecoder.completePrefix(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0xA6, (byte) 0x99})).isEqualTo(4);
        assertThat(StreamingDecoder.completePrefix(new byte[] {(byte) 0xFF})).isEqualTo(1);
        assertThat(StreamingDecoder.completePrefix(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80})).isEqualTo(4);
    }

    @Test
    void specialTokensAreParsedOnlyWhenAsked() throws Exception {
        Tokenizer gpt2 = TokenizerVectorsTest.load("gpt-2");
        int eot = gpt2.tokenId("<|endoftext|>").orElseThrow();
        assertThat(gpt2.encode("Hi<|endoftext|>", false, true)).containsExactly(17250, eot);
        assertThat(gpt2.encode("Hi<|endoftext|>")).doesNotContain(eot).hasSizeGreaterThan(2);
        assertThat(gpt2.isEndOfGeneration(eot)).isTrue();
        assertThat(gpt2.decode(new int[] {17250, eot})).isEqualTo("Hi");
        assertThat(new String(gpt2.tokenBytes(eot), StandardCharsets.UTF_8)).isEqualTo("<|endoftext|>");
    }

    @Test
    void phi3ChatMarkersSwallowFollowingWhitespace() throws Exception {
        Tokenizer phi3 = TokenizerVectorsTest.load("phi-3");
        int user = phi3.tokenId("<|user|>").orElseThrow();
        int end = phi3.tokenId("<|end|>").orElseThrow();
        int assistant = phi3.tokenId("<|assistant|>").orElseThrow();
        int[] ids = phi3.encode("<|user|>\nHi<|end|>\n<|assistant|>\n", true, true);
        assertThat(ids).containsExactly(phi3.bos(), user, phi3.tokenId("▁Hi").orElseThrow(), end, assistant);
        assertThat(phi3.isEndOfGeneration(end)).isTrue();
        assertThat(phi3.isEndOfGeneration(phi3.eos())).isTrue();
        assertThat(phi3.isEndOfGeneration(user)).isFalse();
    }

    @Test
    void bosDefaultsFollowTheVocabulary() throws Exception {
        Tokenizer spm = TokenizerVectorsTest.load("llama-spm");
        assertThat(spm.addBosByDefault()).isTrue();
        assertThat(spm.bos()).isEqualTo(1);
        assertThat(spm.eos()).isEqualTo(2);
        assertThat(spm.encode("Hello", true, false)).containsExactly(1, 15043);
        assertThat(spm.vocabularySize()).isEqualTo(32000);
        Tokenizer gpt2 = TokenizerVectorsTest.load("gpt-2");
        assertThat(gpt2.addBosByDefault()).isFalse();
        assertThat(gpt2.vocabularySize()).isEqualTo(50257);
    }

    @Test
    void tokenBytesUndoTheVocabularyEncodings() throws Exception {
        Tokenizer spm = TokenizerVectorsTest.load("llama-spm");
        assertThat(spm.tokenBytes(spm.tokenId("<0x0A>").orElseThrow())).containsExactly('\n');
        assertThat(spm.tokenBytes(spm.tokenId("▁Hello").orElseThrow())).isEqualTo(" Hello".getBytes(StandardCharsets.US_ASCII));
        Tokenizer gpt2 = TokenizerVectorsTest.load("gpt-2");
        assertThat(gpt2.tokenBytes(gpt2.tokenId("Ġworld").orElseThrow())).isEqualTo(" world".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> gpt2.tokenBytes(50257)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("50257");
    }

    @Test
    void encodesLongTextInOnePass() throws Exception {
        Tokenizer gpt2 = TokenizerVectorsTest.load("gpt-2");
        String text = randomText(new Random(7), 20_000);
        int[] ids = gpt2.encode(text);
        assertThat(gpt2.decode(ids)).isEqualTo(text);
    }
}
