package net.rhizome.inference.tokenizer;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufFormatException;

/**
 * Jazzer fuzz targets for the tokenizers: arbitrary text through both tokenizer kinds, and arbitrary
 * GGUF bytes through vocabulary loading. Seeds live in {@code src/test/resources/.../TokenizerFuzzTestInputs}.
 */
class TokenizerFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void encodeAnyText(FuzzedDataProvider data) {
        Tokenizer t = data.consumeBoolean() ? SyntheticTokenizers.SENTENCE_PIECE : SyntheticTokenizers.BYTE_PAIR;
        boolean addBos = data.consumeBoolean();
        boolean parseSpecial = data.consumeBoolean();
        SyntheticTokenizers.checkInvariants(t, data.consumeRemainingAsString(), addBos, parseSpecial);
    }

    @FuzzTest(maxDuration = "30s")
    void loadAnyVocabulary(byte[] bytes) {
        Tokenizer t;
        try (GgufFile f = GgufFile.of(MemorySegment.ofArray(bytes))) {
            t = Tokenizer.fromGguf(f);
        } catch (GgufFormatException expected) {
            return;
        }
        t.encode("Hello <|endoftext|> wörld 🦙", true, true);
        for (int id = 0; id < Math.min(t.vocabularySize(), 300); id++) {
            t.tokenBytes(id);
        }
    }
}
