package net.rhizome.inference.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.PriorityQueue;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufFormatException;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}) as llama.cpp runs it: split the text with the
 * pre-tokenizer, map each piece's UTF-8 bytes to GPT-2's printable characters, then repeatedly apply
 * the lowest-ranked merge from {@code tokenizer.ggml.merges} (leftmost first on ties) using a
 * priority queue of candidate pairs.
 */
final class BytePairTokenizer extends Tokenizer {
    private final PreTokenizer preTokenizer;
    /** Merge rank by "left right" text. */
    private final TextIndex ranks;

    private BytePairTokenizer(Vocabulary vocab, PreTokenizer preTokenizer, TextIndex ranks) {
        super(vocab);
        this.preTokenizer = preTokenizer;
        this.ranks = ranks;
    }

    static BytePairTokenizer load(GgufFile gguf) {
        String pre = gguf.optString("tokenizer.ggml.pre").orElse("default");
        PreTokenizer preTokenizer = PreTokenizer.named(pre).orElseThrow(() -> new GgufFormatException(
                gguf.source() + ": pre-tokenizer '" + pre + "' (tokenizer.ggml.pre) is not supported"));
        List<String> merges = gguf.stringArray("tokenizer.ggml.merges");
        for (int i = 0; i < merges.size(); i++) {
            String merge = merges.get(i);
            if (merge.indexOf(' ', 1) < 0) {
                throw new GgufFormatException(gguf.source() + ": tokenizer.ggml.merges entry " + i + " ('" + merge
                        + "') is not two symbols separated by a space");
            }
        }
        TextIndex ranks = new TextIndex(merges.toArray(String[]::new), false); // the first occurrence wins
        return new BytePairTokenizer(Vocabulary.load(gguf, false, preTokenizer.addBos()), preTokenizer, ranks);
    }

    /** A candidate merge of two adjacent symbols. */
    private record Bigram(int left, int right, int rank, int size) {
    }

    @Override
    void encodeText(String text, boolean afterSpecial, IntList out) {
        for (String word : preTokenizer.split(text)) {
            encodeWord(ByteLevel.encode(word), out);
        }
    }

    private void encodeWord(String word, IntList out) {
        if (preTokenizer.ignoreMerges()) {
            int id = vocab.index.get(word, 0, word.length());
            if (id != Vocabulary.NONE) {
                out.add(id);
                return;
            }
        }
        // mapped text is all BMP characters: one char per symbol, symbol i starts at char i
        int n = word.length();
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>(
                (a, b) -> a.rank != b.rank ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            addBigram(word, len, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            int l = bigram.left;
            int r = bigram.right;
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != bigram.size) {
                continue; // outdated: one side has changed since the pair was queued
            }
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            addBigram(word, len, prev[l], l, queue);
            addBigram(word, len, l, next[l], queue);
        }
        for (int i = n > 0 ? 0 : -1; i != -1; i = next[i]) {
            int id = vocab.index.get(word, i, i + len[i]);
            if (id != Vocabulary.NONE) {
                out.add(id);
            } else {
                // as llama.cpp: fall back to single-byte tokens where they exist, drop the rest
                for (byte b : word.substring(i, i + len[i]).getBytes(StandardCharsets.UTF_8)) {
                    int single = vocab.id(String.valueOf((char) (b & 0xFF)));
                    if (single != Vocabulary.NONE && b >= 0) {
                        out.add(single);
                    }
                }
            }
        }
    }

    private void addBigram(String word, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) {
            return;
        }
        int rank = ranks.getPair(word, left, len[left], right, len[right]);
        if (rank >= 0) {
            queue.add(new Bigram(left, right, rank, len[left] + len[right]));
        }
    }

    @Override
    public byte[] tokenBytes(int id) {
        vocab.checkId(id);
        return switch (vocab.types[id]) {
            case NORMAL, UNDEFINED, UNUSED, BYTE -> ByteLevel.decode(vocab.texts[id]);
            default -> vocab.texts[id].getBytes(StandardCharsets.UTF_8);
        };
    }

    String preTokenizerName() {
        return preTokenizer.name();
    }
}
