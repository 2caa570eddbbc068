package net.rhizome.inference.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufFormatException;

/**
 * Text to token ids and back, read from a GGUF file's {@code tokenizer.ggml.*} metadata, reproducing
 * llama.cpp's tokenization: SentencePiece ({@code tokenizer.ggml.model = llama}) or byte-level BPE
 * ({@code gpt2}, with the pre-tokenizer named by {@code tokenizer.ggml.pre}). Instances are immutable
 * and thread-safe.
 */
public abstract sealed class Tokenizer permits SentencePieceTokenizer, BytePairTokenizer {
    /** Longest text {@link #encode} accepts, in chars (far beyond any context window); callers split longer documents. */
    public static final int MAX_TEXT_CHARS = 1 << 22;

    final Vocabulary vocab;

    Tokenizer(Vocabulary vocab) {
        this.vocab = vocab;
    }

    /** The tokenizer described by {@code gguf}; an unsupported or malformed vocabulary is a {@link GgufFormatException}. */
    public static Tokenizer fromGguf(GgufFile gguf) {
        String model = gguf.optString("tokenizer.ggml.model")
                .orElseThrow(() -> new GgufFormatException(gguf.source() + ": no tokenizer (metadata 'tokenizer.ggml.model' is missing)"));
        return switch (model) {
            case "llama" -> new SentencePieceTokenizer(Vocabulary.load(gguf, true, true), gguf.source());
            case "gpt2" -> BytePairTokenizer.load(gguf);
            default -> throw new GgufFormatException(gguf.source() + ": tokenizer model '" + model
                    + "' is not supported (supported: llama = SentencePiece, gpt2 = byte-level BPE)");
        };
    }

    /** Token ids of {@code text}: no BOS, special-token texts treated as plain text. */
    public int[] encode(String text) {
        return encode(text, false, false);
    }

    /**
     * Token ids of {@code text}.
     *
     * @param addBos       prepend the BOS token (if the vocabulary has one)
     * @param parseSpecial recognise control tokens such as {@code <|im_start|>} written in the text (for
     *                     rendered chat prompts); user-defined tokens are always recognised, as in llama.cpp
     */
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        checkLength(text.length());
        return encodeFragments(partition(text, parseSpecial), addBos);
    }

    /**
     * Token ids of a prompt assembled from segments: control tokens are recognised only inside
     * segments that allow it. For segments free of special-token text this gives exactly the ids of
     * {@code encode(concatenation, addBos, true)}; adjacent plain text is tokenized as one piece.
     */
    public int[] encode(List<TextSegment> segments, boolean addBos) {
        checkLength(segments.stream().mapToLong(s -> s.text().length()).sum());
        List<Fragment> fragments = new ArrayList<>();
        for (TextSegment segment : segments) {
            for (Fragment f : partition(segment.text(), segment.parseSpecial())) {
                int last = fragments.size() - 1;
                if (f.token() < 0 && last >= 0 && fragments.get(last).token() < 0) {
                    fragments.set(last, new Fragment(fragments.get(last).text() + f.text(), -1));
                } else {
                    fragments.add(f);
                }
            }
        }
        return encodeFragments(stripAcrossSegments(fragments), addBos);
    }

    /** Applies the strip flags of special tokens to text that came from a neighbouring segment. */
    private List<Fragment> stripAcrossSegments(List<Fragment> fragments) {
        List<Fragment> out = new ArrayList<>(fragments.size());
        for (int i = 0; i < fragments.size(); i++) {
            Fragment f = fragments.get(i);
            if (f.token() >= 0) {
                out.add(f);
                continue;
            }
            String text = f.text();
            int start = 0;
            int end = text.length();
            if (i > 0 && vocab.rstrip[fragments.get(i - 1).token()]) {
                while (start < end && isSpace(text.charAt(start))) {
                    start++;
                }
            }
            if (i + 1 < fragments.size() && vocab.lstrip[fragments.get(i + 1).token()]) {
                while (end > start && isSpace(text.charAt(end - 1))) {
                    end--;
                }
            }
            if (end > start) {
                out.add(new Fragment(text.substring(start, end), -1));
            }
        }
        return out;
    }

    private static void checkLength(long chars) {
        if (chars > MAX_TEXT_CHARS) {
            throw new IllegalArgumentException("text of " + chars + " chars is longer than the limit of " + MAX_TEXT_CHARS);
        }
    }

    private int[] encodeFragments(List<Fragment> fragments, boolean addBos) {
        IntList out = new IntList();
        if (addBos && vocab.bos != Vocabulary.NONE) {
            out.add(vocab.bos);
        }
        boolean afterSpecial = true;
        for (Fragment f : fragments) {
            if (f.token() >= 0) {
                out.add(f.token());
                afterSpecial = true;
            } else {
                encodeText(f.text(), afterSpecial, out);
                afterSpecial = false;
            }
        }
        return out.toArray();
    }

    /** Encodes one stretch of ordinary text; {@code afterSpecial} is true at the start and after a special token. */
    abstract void encodeText(String text, boolean afterSpecial, IntList out);

    /** The bytes token {@code id} stands for; control tokens give their literal text. */
    public abstract byte[] tokenBytes(int id);

    /** The bytes a token contributes to generated text: like {@link #tokenBytes} but control tokens give nothing. */
    byte[] pieceBytes(int id) {
        vocab.checkId(id);
        return vocab.types[id] == TokenType.CONTROL ? new byte[0] : tokenBytes(id);
    }

    /**
     * Text of {@code ids} (control tokens omitted), invalid UTF-8 shown as U+FFFD. Meant for whole
     * texts: with SentencePiece it drops the space the encoder put in front, so {@code decode(encode(s))}
     * is {@code s}. For generated continuations use {@link #streamingDecoder()}, which keeps every byte.
     */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(pieceBytes(id));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A decoder for generated tokens that yields only whole UTF-8 characters. */
    public StreamingDecoder streamingDecoder() {
        return new StreamingDecoder(this);
    }

    /** The token's text as stored in the vocabulary (with ▁ or byte-level symbols). */
    public String tokenText(int id) {
        vocab.checkId(id);
        return vocab.texts[id];
    }

    public TokenType tokenType(int id) {
        vocab.checkId(id);
        return vocab.types[id];
    }

    /** The id whose vocabulary text is exactly {@code text}. */
    public OptionalInt tokenId(String text) {
        int id = vocab.id(text);
        return id == Vocabulary.NONE ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** BOS id, or -1 when the vocabulary has none. */
    public int bos() {
        return vocab.bos;
    }

    /** EOS id, or -1 when the vocabulary has none. */
    public int eos() {
        return vocab.eos;
    }

    /** True for EOS, EOT, EOM and end-of-turn markers such as {@code <|im_end|>}, {@code <|eot_id|>}, {@code <|end|>}. */
    public boolean isEndOfGeneration(int id) {
        return vocab.isEndOfGeneration(id);
    }

    /** Whether prompts for this model start with BOS ({@code tokenizer.ggml.add_bos_token} or the family default). */
    public boolean addBosByDefault() {
        return vocab.addBos && vocab.bos != Vocabulary.NONE;
    }

    public int vocabularySize() {
        return vocab.size();
    }

    /** A piece of input: ordinary text ({@code token < 0}) or an already recognised special token. */
    record Fragment(String text, int token) {
    }

    /** Splits {@code text} at special tokens, longest first, honouring their whitespace-strip flags. */
    List<Fragment> partition(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment(text, -1));
        for (int id : vocab.specialsByLength) {
            TokenType type = vocab.types[id];
            if (!parseSpecial && type != TokenType.USER_DEFINED) {
                continue;
            }
            String special = vocab.texts[id];
            List<Fragment> next = null;
            for (int i = 0; i < fragments.size(); i++) {
                Fragment f = fragments.get(i);
                if (f.token() >= 0 || !f.text().contains(special)) {
                    if (next != null) {
                        next.add(f);
                    }
                    continue;
                }
                if (next == null) {
                    next = new ArrayList<>(fragments.subList(0, i));
                }
                split(f.text(), special, id, next);
            }
            if (next != null) {
                fragments = next;
            }
        }
        return fragments;
    }

    private void split(String s, String special, int id, List<Fragment> out) {
        int pos = 0;
        int match;
        while ((match = s.indexOf(special, pos)) >= 0) {
            int leftEnd = match;
            if (vocab.lstrip[id]) {
                while (leftEnd > pos && isSpace(s.charAt(leftEnd - 1))) {
                    leftEnd--;
                }
            }
            if (leftEnd > pos) {
                out.add(new Fragment(s.substring(pos, leftEnd), -1));
            }
            out.add(new Fragment(special, id));
            pos = match + special.length();
            if (vocab.rstrip[id]) {
                while (pos < s.length() && isSpace(s.charAt(pos))) {
                    pos++;
                }
            }
        }
        if (pos < s.length()) {
            out.add(new Fragment(s.substring(pos), -1));
        }
    }

    /** C {@code isspace} in the "C" locale, which llama.cpp uses for strip flags. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
