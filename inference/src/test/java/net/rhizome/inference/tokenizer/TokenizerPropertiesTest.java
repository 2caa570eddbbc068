package net.rhizome.inference.tokenizer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

/** Random-text properties on the synthetic vocabularies (runs without fixtures, unlike the vector tests). */
class TokenizerPropertiesTest {

    @Property(tries = 300)
    void sentencePieceInvariants(@ForAll @StringLength(max = 40) String text, @ForAll boolean addBos, @ForAll boolean special) {
        SyntheticTokenizers.checkInvariants(SyntheticTokenizers.SENTENCE_PIECE, text, addBos, special);
    }

    @Property(tries = 300)
    void bytePairInvariants(@ForAll @StringLength(max = 40) String text, @ForAll boolean addBos, @ForAll boolean special) {
        SyntheticTokenizers.checkInvariants(SyntheticTokenizers.BYTE_PAIR, text, addBos, special);
    }

    @Property(tries = 200)
    void textMadeOfVocabularyPiecesRoundTrips(@ForAll("pieces") String text) {
        SyntheticTokenizers.checkInvariants(SyntheticTokenizers.SENTENCE_PIECE, text, false, false);
        SyntheticTokenizers.checkInvariants(SyntheticTokenizers.BYTE_PAIR, text, false, false);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> pieces() {
        return net.jqwik.api.Arbitraries.of("a", "b", "c", " ", "ab", "abc", "<tool>", "<|im_end|>", "<|endoftext|>", "é", "\n")
                .list().ofMaxSize(12).map(l -> String.join("", l));
    }
}
