package net.rhizome.inference.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The regex pre-tokenizers llama.cpp selects by {@code tokenizer.ggml.pre}. The expressions are
 * applied in order: each one splits every current piece into its matches and the text between
 * them. Matching is confined to the piece (lookahead does not see past its end), as in llama.cpp.
 *
 * @param name         the {@code tokenizer.ggml.pre} value
 * @param patterns     split expressions, in order
 * @param ignoreMerges a pre-token that is itself a vocabulary entry is emitted whole (Llama 3)
 * @param addBos       family default for {@code add_bos_token}
 */
record PreTokenizer(String name, List<Pattern> patterns, boolean ignoreMerges, boolean addBos) {

    private static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    private static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String CONTRACTION = "(?i:'s|'t|'re|'ve|'m|'ll|'d)?";
    private static final String GPT4O = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+" + CONTRACTION
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*" + CONTRACTION
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String TEKKEN = "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+"
            + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)";
    private static final String CJK = "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+";

    /** The pre-tokenizer called {@code name}, or empty if llama.cpp's list has no such entry we support. */
    static Optional<PreTokenizer> named(String name) {
        return Optional.ofNullable(switch (name) {
            case "default" -> of(name, false, false,
                    "[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral" -> of(name, true, true, LLAMA3);
            case "dbrx", "smaug-bpe" -> of(name, false, false, LLAMA3);
            case "deepseek-coder" -> of(name, false, false, "[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK, "\\p{N}");
            case "falcon" -> of(name, false, false, "[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]");
            case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b" ->
                    of(name, false, false, "\\p{N}", GPT2);
            case "gpt-2", "phi-2", "mpt", "olmo", "jais", "jina-es", "jina-de", "gigachat", "roberta-bpe", "trillion" ->
                    of(name, false, false, GPT2);
            case "qwen2", "deepseek-r1-qwen", "stablelm2", "megrez", "hunyuan" -> of(name, false, false, QWEN2);
            case "poro-chat", "bloom", "gpt3-finnish" -> of(name, false, false, " ?[^(\\s|.,!?…。，、।۔،)]+");
            case "gpt-4o", "llama4" -> of(name, false, false, GPT4O);
            case "tekken" -> of(name, true, true, TEKKEN);
            case "deepseek-v3" -> of(name, false, false, "\\p{N}{1,3}", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
                    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                    + "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+");
            default -> null;
        });
    }

    private static PreTokenizer of(String name, boolean ignoreMerges, boolean addBos, String... regexes) {
        List<Pattern> patterns = new ArrayList<>();
        for (String r : regexes) {
            // \s must mean Unicode White_Space, as in llama.cpp
            patterns.add(Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS));
        }
        return new PreTokenizer(name, List.copyOf(patterns), ignoreMerges, addBos);
    }

    /** The pre-tokens of {@code text}, in order; together they are exactly {@code text}. */
    List<String> split(String text) {
        List<int[]> pieces = new ArrayList<>();
        pieces.add(new int[] {0, text.length()});
        for (Pattern p : patterns) {
            List<int[]> next = new ArrayList<>(pieces.size() * 2);
            Matcher m = p.matcher(text);
            for (int[] piece : pieces) {
                m.region(piece[0], piece[1]);
                int pos = piece[0];
                while (m.find()) {
                    if (m.end() == m.start()) {
                        continue;
                    }
                    if (m.start() > pos) {
                        next.add(new int[] {pos, m.start()});
                    }
                    next.add(new int[] {m.start(), m.end()});
                    pos = m.end();
                }
                if (pos < piece[1]) {
                    next.add(new int[] {pos, piece[1]});
                }
            }
            pieces = next;
        }
        List<String> words = new ArrayList<>(pieces.size());
        for (int[] piece : pieces) {
            words.add(text.substring(piece[0], piece[1]));
        }
        return words;
    }
}
