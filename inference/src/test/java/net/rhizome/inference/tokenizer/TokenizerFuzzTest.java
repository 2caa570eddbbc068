package net.rhizome.inference.tokenizer;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
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
        String text = data.consumeRemainingAsString();
        SyntheticTokenizers.checkInvariants(t, text, addBos, parseSpecial);
        // the same text as two prompt segments: ids stay in range and equal a plain encode when nothing is special
        int cut = text.isEmpty() ? 0 : Math.floorMod(text.hashCode(), text.length() + 1);
        int[] ids = t.encode(List.of(new TextSegment(text.substring(0, cut), parseSpecial), TextSegment.content(text.substring(cut))), addBos);
        for (int id : ids) {
            if (id < 0 || id >= t.vocabularySize()) {
                throw new AssertionError("segment encoding gave id " + id);
            }
        }
        if (t.partition(text, true).stream().allMatch(f -> f.token() < 0) && !Arrays.equals(ids, t.encode(text, addBos, true))) {
            throw new AssertionError("segment encoding of plain text differs from encode: " + text);
        }
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
