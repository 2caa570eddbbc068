package net.rhizome.inference.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;
import net.rhizome.inference.gguf.GgufFormatException;

/**
 * SentencePiece tokenization as llama.cpp applies it to {@code tokenizer.ggml.model = llama}
 * vocabularies: spaces become {@code ▁} (plus one leading {@code ▁} at the start of the text and after
 * special tokens when {@code add_space_prefix} is set), then adjacent symbols are merged greedily by
 * the highest vocabulary score, and characters that never form a token fall back to {@code <0xNN>}
 * byte tokens.
 */
final class SentencePieceTokenizer extends Tokenizer {
    private static final char SPACE_MARK = '\u2581';
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final int[] byteTokens = new int[256];

    SentencePieceTokenizer(Vocabulary vocab, String source) {
        super(vocab);
        for (int id = 0; id < vocab.size(); id++) {
            if (vocab.types[id] == TokenType.BYTE && parseByteToken(vocab.texts[id]) < 0) {
                throw new GgufFormatException(source + ": byte token " + id + " has text '" + vocab.texts[id] + "', expected <0xNN>");
            }
        }
        for (int b = 0; b < 256; b++) {
            int id = vocab.id("<0x" + HEX[b >> 4] + HEX[b & 15] + ">");
            if (id == Vocabulary.NONE && b < 0x80) {
                id = vocab.id(String.valueOf((char) b));
            }
            byteTokens[b] = id;
        }
    }

    /** A candidate merge of two adjacent symbols; ordered by score, then leftmost first. */
    private record Bigram(int left, int right, float score, int size) {
    }

    @Override
    void encodeText(String fragment, boolean afterSpecial, IntList out) {
        String text = ((vocab.addSpacePrefix && afterSpecial) ? " " + fragment : fragment).replace(' ', SPACE_MARK);
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, pos = 0; i < n; i++) {
            int cp = text.codePointAt(pos);
            start[i] = pos;
            len[i] = Character.charCount(cp);
            pos += len[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>(
                (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            tryAddBigram(text, start, len, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            int l = bigram.left;
            int r = bigram.right;
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != bigram.size) {
                continue; // one side already merged elsewhere
            }
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            tryAddBigram(text, start, len, prev[l], l, queue);
            tryAddBigram(text, start, len, l, next[l], queue);
        }
        for (int i = n > 0 ? 0 : -1; i != -1; i = next[i]) {
            int id = vocab.index.get(text, start[i], start[i] + len[i]);
            if (id != Vocabulary.NONE) {
                out.add(id);
            } else {
                String symbol = text.substring(start[i], start[i] + len[i]);
                for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteToken(b & 0xFF, symbol));
                }
            }
        }
    }

    private void tryAddBigram(String text, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) {
            return;
        }
        int size = len[left] + len[right];
        int id = vocab.index.get(text, start[left], start[left] + size);
        if (id != Vocabulary.NONE) {
            queue.add(new Bigram(left, right, vocab.scores[id], size));
        }
    }

    private int byteToken(int b, String symbol) {
        int id = byteTokens[b];
        if (id == Vocabulary.NONE) {
            id = vocab.unk;
        }
        if (id == Vocabulary.NONE) {
            throw new IllegalArgumentException("text contains '" + symbol.replace(SPACE_MARK, ' ')
                    + "', which this vocabulary has no token, byte token or unknown token for");
        }
        return id;
    }

    @Override
    public byte[] tokenBytes(int id) {
        vocab.checkId(id);
        String text = vocab.texts[id];
        return switch (vocab.types[id]) {
            case BYTE -> new byte[] {(byte) parseByteToken(text)};
            case NORMAL, UNDEFINED -> text.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
            default -> text.getBytes(StandardCharsets.UTF_8);
        };
    }

    /** The byte of a {@code <0xNN>} token text, or -1 if the text is not of that form. */
    private static int parseByteToken(String text) {
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            int hi = Character.digit(text.charAt(3), 16);
            int lo = Character.digit(text.charAt(4), 16);
            if (hi >= 0 && lo >= 0) {
                return hi << 4 | lo;
            }
        }
        return -1;
    }

    /** Removes the space SentencePiece put in front of the text, so decode(encode(s)) gives s back. */
    @Override
    public String decode(int[] ids) {
        String text = super.decode(ids);
        return vocab.addSpacePrefix && text.startsWith(" ") ? text.substring(1) : text;
    }
}
