package net.rhizome.inference.tokenizer;

import java.lang.foreign.MemorySegment;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufTestFiles;

/** Tokenizers over the tiny vocabularies of {@link GgufTestFiles}, for tests that need no fixtures. */
final class SyntheticTokenizers {
    static final Tokenizer SENTENCE_PIECE = load(GgufTestFiles.sentencePieceVocabulary());
    static final Tokenizer BYTE_PAIR = load(GgufTestFiles.bytePairVocabulary());

    private SyntheticTokenizers() {
    }

    static Tokenizer load(byte[] gguf) {
        try (GgufFile f = GgufFile.of(MemorySegment.ofArray(gguf))) {
            return Tokenizer.fromGguf(f);
        }
    }

    /** Checks what must hold for any text: ids in range, decode inverts encode, streaming equals decode. */
    static void checkInvariants(Tokenizer t, String text, boolean addBos, boolean parseSpecial) {
        int[] ids = t.encode(text, addBos, parseSpecial);
        StringBuilder streamed = new StringBuilder();
        StreamingDecoder decoder = t.streamingDecoder();
        for (int id : ids) {
            if (id < 0 || id >= t.vocabularySize()) {
                throw new AssertionError("id " + id + " out of range for " + text);
            }
            streamed.append(decoder.accept(id));
        }
        streamed.append(decoder.finish());
        String decoded = t.decode(ids);
        boolean spm = t instanceof SentencePieceTokenizer;
        // decode drops the space SentencePiece adds in front; the stream keeps it
        boolean same = streamed.toString().equals(decoded) || (spm && streamed.toString().equals(" " + decoded));
        if (!same) {
            throw new AssertionError("streamed '" + streamed + "' but decoded '" + decoded + "'");
        }
        boolean wellFormed = text.equals(new String(text.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.UTF_8));
        // SentencePiece puts a space after every special token, so only plain text round-trips there
        boolean plain = t.partition(text, false).stream().allMatch(f -> f.token() < 0);
        boolean representable = wellFormed && !(spm && (text.indexOf('\u2581') >= 0 || !plain));
        if (!parseSpecial && representable && !decoded.equals(text)) {
            throw new AssertionError("decode(encode('" + text + "')) gave '" + decoded + "'");
        }
    }
}
