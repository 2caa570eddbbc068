package net.rhizome.inference.chat;

import java.util.List;
import java.util.Optional;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.tokenizer.TextSegment;
import net.rhizome.inference.tokenizer.Tokenizer;

/**
 * Renders a conversation into the prompt text a model was trained on. The template is recognised
 * from {@code tokenizer.chat_template} by the distinctive markers llama.cpp also uses (no Jinja is
 * evaluated). Prefer {@link #encode}: it recognises control tokens such as {@code <|im_start|>} in the
 * template's markup but not in message text. {@link #render} gives the same prompt as one string, to be
 * encoded with special-token parsing on and BOS when the tokenizer asks for it (templates do not write
 * BOS themselves, except inside a Llama 2 history where the model expects it).
 */
public sealed interface ChatTemplate
        permits ChatTemplates.ChatMl, ChatTemplates.Llama2, ChatTemplates.Llama2Chat, ChatTemplates.Mistral, ChatTemplates.Llama3,
                ChatTemplates.Phi3, ChatTemplates.Zephyr, ChatTemplates.Plain {

    /** Short name: {@code chatml}, {@code llama2}, {@code llama3}, {@code mistral-v1}, {@code zephyr}, … */
    String name();

    /**
     * The prompt for {@code messages} as markup and content segments; with {@code addGenerationPrompt}
     * it ends where the assistant's reply begins.
     */
    List<TextSegment> segments(List<ChatMessage> messages, boolean addGenerationPrompt);

    /** The prompt as one string (the concatenated {@link #segments}). */
    default String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        for (TextSegment s : segments(messages, addGenerationPrompt)) {
            sb.append(s.text());
        }
        return sb.toString();
    }

    /**
     * Token ids of the prompt, with BOS if the tokenizer wants it. Control tokens are recognised in the
     * template's markup only: a marker such as {@code <|im_end|>} typed inside a message stays text.
     */
    default int[] encode(Tokenizer tokenizer, List<ChatMessage> messages, boolean addGenerationPrompt) {
        return tokenizer.encode(segments(messages, addGenerationPrompt), tokenizer.addBosByDefault());
    }

    /**
     * The template of {@code gguf}. A missing or unrecognised template is a {@link ChatTemplateException}
     * naming it, unless {@code allowPlainFallback}, in which case messages are rendered as plain text.
     */
    static ChatTemplate fromGguf(GgufFile gguf, boolean allowPlainFallback) {
        Optional<String> source = gguf.optString("tokenizer.chat_template");
        if (source.isEmpty()) {
            if (allowPlainFallback) {
                return new ChatTemplates.Plain();
            }
            throw new ChatTemplateException(gguf.source() + " has no chat template (metadata 'tokenizer.chat_template')");
        }
        Optional<ChatTemplate> known = recognise(source.get(), eosText(gguf));
        if (known.isPresent()) {
            return known.get();
        }
        if (allowPlainFallback) {
            return new ChatTemplates.Plain();
        }
        throw new ChatTemplateException(gguf.source() + ": chat template not recognised (supported: chatml/qwen, llama2, llama3, "
                + "mistral, zephyr, phi3); it begins: " + excerpt(source.get()));
    }

    /** A template by its {@link #name()} or, failing that, recognised from Jinja source text. */
    static Optional<ChatTemplate> named(String nameOrSource) {
        return switch (nameOrSource) {
            case "chatml" -> Optional.of(new ChatTemplates.ChatMl(null));
            case "llama2" -> Optional.of(new ChatTemplates.Llama2(false, false, false));
            case "llama2-sys" -> Optional.of(new ChatTemplates.Llama2(true, false, false));
            case "llama2-chat" -> Optional.of(new ChatTemplates.Llama2Chat("</s>"));
            case "llama3" -> Optional.of(new ChatTemplates.Llama3());
            case "mistral-v1" -> Optional.of(new ChatTemplates.Mistral(ChatTemplates.MistralVariant.V1));
            case "mistral-v3" -> Optional.of(new ChatTemplates.Mistral(ChatTemplates.MistralVariant.V3));
            case "mistral-v3-tekken" -> Optional.of(new ChatTemplates.Mistral(ChatTemplates.MistralVariant.V3_TEKKEN));
            case "phi3" -> Optional.of(new ChatTemplates.Phi3(true));
            case "zephyr" -> Optional.of(new ChatTemplates.Zephyr("</s>"));
            case "plain" -> Optional.of(new ChatTemplates.Plain());
            default -> recognise(nameOrSource, "</s>");
        };
    }

    /** Recognises Jinja template source by its markers, in llama.cpp's order of checks. */
    static Optional<ChatTemplate> recognise(String t, String eos) {
        if (t.contains("<|im_start|>")) {
            return t.contains("<|im_sep|>") ? Optional.empty() : Optional.of(new ChatTemplates.ChatMl(ChatTemplates.defaultSystem(t)));
        }
        if (t.startsWith("mistral") || t.contains("[INST]")) {
            if (t.contains("[SYSTEM_PROMPT]")) {
                return Optional.empty(); // mistral v7: not supported
            }
            if (t.contains("' [INST] ' + system_message") || t.contains("[AVAILABLE_TOOLS]")) {
                ChatTemplates.MistralVariant v = t.contains(" [INST]") ? ChatTemplates.MistralVariant.V1
                        : t.contains("\"[INST]\"") ? ChatTemplates.MistralVariant.V3_TEKKEN : ChatTemplates.MistralVariant.V3;
                return Optional.of(new ChatTemplates.Mistral(v));
            }
            // Meta's own template; the other variants follow llama.cpp's built-in renderings
            if (t.contains("content.strip()") && t.contains("bos_token + '[INST]")) {
                return Optional.of(new ChatTemplates.Llama2Chat(eos));
            }
            if (t.contains("content.strip()")) {
                return Optional.of(new ChatTemplates.Llama2(true, false, true));
            }
            if (t.contains("bos_token + '[INST]")) {
                return Optional.of(new ChatTemplates.Llama2(true, true, false));
            }
            return Optional.of(new ChatTemplates.Llama2(t.contains("<<SYS>>"), false, false));
        }
        if (t.contains("<|assistant|>") && t.contains("<|end|>")) {
            return Optional.of(new ChatTemplates.Phi3(t.contains("'system'") || t.contains("\"system\"")));
        }
        if (t.contains("<|user|>") && (t.contains("<|endoftext|>") || t.contains("eos_token"))) {
            return Optional.of(new ChatTemplates.Zephyr(t.contains("<|endoftext|>") ? "<|endoftext|>" : eos));
        }
        if (t.contains("<|start_header_id|>") && t.contains("<|end_header_id|>")) {
            return Optional.of(new ChatTemplates.Llama3());
        }
        return Optional.empty();
    }

    private static String eosText(GgufFile gguf) {
        if (gguf.has("tokenizer.ggml.tokens") && gguf.has("tokenizer.ggml.eos_token_id")) {
            List<String> tokens = gguf.stringArray("tokenizer.ggml.tokens");
            long eos = gguf.integer("tokenizer.ggml.eos_token_id");
            if (eos >= 0 && eos < tokens.size()) {
                return tokens.get((int) eos);
            }
        }
        return "</s>";
    }

    private static String excerpt(String template) {
        String oneLine = template.replace('\n', ' ').strip();
        return "\"" + (oneLine.length() > 120 ? oneLine.substring(0, 120) + "…" : oneLine) + "\"";
    }
}
