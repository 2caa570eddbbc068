package net.rhizome.inference.chat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.rhizome.inference.tokenizer.TextSegment;

/** The template variants; each renders exactly as llama.cpp's built-in version of that template. */
final class ChatTemplates {
    /** A quoted Jinja literal that opens a system turn with fixed text. */
    private static final Pattern DEFAULT_SYSTEM = Pattern.compile("'<\\|im_start\\|>system(?:\\\\n|\n)([^'{}<]+)<\\|im_end\\|>");

    private ChatTemplates() {
    }

    /**
     * The system prompt a ChatML template writes when the conversation has none, as in Qwen 2's
     * {@code '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n'}; null if it has none.
     */
    static String defaultSystem(String template) {
        Matcher m = DEFAULT_SYSTEM.matcher(template);
        return m.find() ? m.group(1).replace("\\n", "\n") : null;
    }

    /**
     * ChatML, used by Qwen and many fine-tunes.
     *
     * @param defaultSystem system prompt the template inserts when the conversation has none (Qwen 2 / 2.5), or null
     */
    record ChatMl(String defaultSystem) implements ChatTemplate {
        @Override
        public String name() {
            return "chatml";
        }

        @Override
        public List<TextSegment> segments(List<ChatMessage> messages, boolean addGenerationPrompt) {
            PromptBuilder p = new PromptBuilder();
            if (defaultSystem != null && (messages.isEmpty() || !messages.getFirst().role().equals("system"))) {
                p.markup("<|im_start|>system\n").content(defaultSystem).markup("<|im_end|>\n");
            }
            for (ChatMessage m : messages) {
                p.markup("<|im_start|>").markup(m.role()).markup("\n").content(m.content()).markup("<|im_end|>\n");
            }
            if (addGenerationPrompt) {
                p.markup("<|im_start|>assistant\n");
            }
            return p.segments();
        }
    }

    /**
     * Llama 2 chat: {@code [INST] user [/INST]answer</s>}.
     *
     * @param systemBlock       the template wraps system prompts in {@code <<SYS>>}
     * @param bosInsideHistory  later turns start with {@code <s>}
     * @param strip             message contents are trimmed
     */
    record Llama2(boolean systemBlock, boolean bosInsideHistory, boolean strip) implements ChatTemplate {
        @Override
        public String name() {
            return systemBlock ? "llama2-sys" : "llama2";
        }

        @Override
        public List<TextSegment> segments(List<ChatMessage> messages, boolean addGenerationPrompt) {
            PromptBuilder p = new PromptBuilder().markup("[INST] ");
            boolean insideTurn = true;
            for (ChatMessage m : messages) {
                String content = strip ? m.content().strip() : m.content();
                if (!insideTurn) {
                    insideTurn = true;
                    p.markup(bosInsideHistory ? "<s>[INST] " : "[INST] ");
                }
                switch (m.role()) {
                    case "system" -> {
                        if (systemBlock) {
                            p.markup("<<SYS>>\n").content(content).markup("\n<</SYS>>\n\n");
                        } else {
                            p.content(content).markup("\n");
                        }
                    }
                    case "user" -> p.content(content).markup(" [/INST]");
                    default -> {
                        p.content(content).markup("</s>");
                        insideTurn = false;
                    }
                }
            }
            return p.segments(); // the generation prompt is the open [INST] turn itself
        }
    }

    /**
     * Meta's Llama 2 chat template as its Jinja source renders it: every user turn after the first
     * starts with {@code <s>}, answers are {@code " answer </s>"}, contents are trimmed.
     */
    record Llama2Chat(String eos) implements ChatTemplate {
        @Override
        public String name() {
            return "llama2-chat";
        }

        @Override
        public List<TextSegment> segments(List<ChatMessage> messages, boolean addGenerationPrompt) {
            PromptBuilder p = new PromptBuilder();
            String system = !messages.isEmpty() && messages.getFirst().role().equals("system") ? messages.getFirst().content() : null;
            List<ChatMessage> turns = system == null ? messages : messages.subList(1, messages.size());
            boolean first = true;
            for (int i = 0; i < turns.size(); i++) {
                ChatMessage m = turns.get(i);
                boolean withSystem = i == 0 && system != null;
                switch (m.role()) {
                    case "user" -> {
                        p.markup(first ? "[INST] " : "<s>[INST] "); // the first <s> is the tokenizer's BOS
                        if (withSystem) {
                            p.markup("<<SYS>>\n").content(system).markup("\n<</SYS>>\n\n").content(m.content().stripTrailing());
                        } else {
                            p.content(m.content().strip());
                        }
                        p.markup(" [/INST]");
                    }
                    case "assistant" -> {
                        String content = withSystem ? "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + m.content() : m.content();
                        p.markup(" ").content(content.strip()).markup(" " + eos);
                    }
                    default -> {
                        continue; // the template ignores other roles
                    }
                }
                first = false;
            }
            return p.segments();
        }
    }

    enum MistralVariant { V1, V3, V3_TEKKEN }

    /** Mistral's official instruct templates (v1 has spaces around the markers, tekken has none after them). */
    record Mistral(MistralVariant variant) implements ChatTemplate {
        @Override
        public String name() {
            return switch (variant) {
                case V1 -> "mistral-v1";
                case V3 -> "mistral-v3";
                case V3_TEKKEN -> "mistral-v3-tekken";
            };
        }

        @Override
        public List<TextSegment> segments(List<ChatMessage> messages, boolean addGenerationPrompt) {
            String leading = variant == MistralVariant.V1 ? " " : "";
            String trailing = variant == MistralVariant.V3_TEKKEN ? "" : " ";
            PromptBuilder p = new PromptBuilder();
            boolean insideTurn = false;
            for (ChatMessage m : messages) {
                if (!insideTurn) {
                    p.markup(leading + "[INST]" + trailing);
                    insideTurn = true;
                }
                switch (m.role()) {
                    case "system" -> p.content(m.content()).markup("\n\n");
                    case "user" -> p.content(m.content()).markup(leading + "[/INST]");
                    default -> {
                        String content = variant == MistralVariant.V3 ? m.content().strip() : m.content();
                        p.markup(trailing).content(content).markup("</s>");
                        insideTurn = false;
                    }
                }
            }
            return p.segments();
        }
    }

    /** Llama 3 / 3.1 / 3.2 instruct. */
    record Llama3() implements ChatTemplate {
        @Override
        public String name() {
            return "llama3";
        }

        @Override
        public List<TextSegment> segments(List<ChatMessage> messages, boolean addGenerationPrompt) {
            PromptBuilder p = new PromptBuilder();
            for (ChatMessage m : messages) {
                p.markup("<|start_header_id|>").markup(m.role()).markup("<|end_header_id|>\n\n")
                        .content(m.content().strip()).markup("<|eot_id|>");
            }
            if (addGenerationPrompt) {
                p.markup("<|start_header_id|>assistant<|end_header_id|>\n\n");
            }
            return p.segments();
        }
    }

    /**
     * Phi-3 instruct.
     *
     * @param systemRole the template has a system turn; without one (Phi-3-mini) system text is put in
     *                   front of the first user message, as llama.cpp's Jinja polyfill does
     */
    record Phi3(boolean systemRole) implements ChatTemplate {
        @Override
        public String name() {
            return "phi3";
        }

        @Override
        public List<TextSegment> segments(List<ChatMessage> messages, boolean addGenerationPrompt) {
            PromptBuilder p = new PromptBuilder();
            String pendingSystem = null;
            for (ChatMessage m : messages) {
                if (!systemRole && m.role().equals("system")) {
                    pendingSystem = pendingSystem == null ? m.content() : pendingSystem + "\n" + m.content();
                    continue;
                }
                p.markup("<|").markup(m.role()).markup("|>\n");
                if (pendingSystem != null && m.role().equals("user")) {
                    p.content(pendingSystem + "\n");
                    pendingSystem = null;
                }
                p.content(m.content()).markup("<|end|>\n");
            }
            if (addGenerationPrompt) {
                p.markup("<|assistant|>\n");
            }
            return p.segments();
        }
    }

    /** Zephyr: {@code <|role|>\ncontent EOS\n}; {@code eos} is the end-of-turn text the model uses. */
    record Zephyr(String eos) implements ChatTemplate {
        @Override
        public String name() {
            return "zephyr";
        }

        @Override
        public List<TextSegment> segments(List<ChatMessage> messages, boolean addGenerationPrompt) {
            PromptBuilder p = new PromptBuilder();
            for (ChatMessage m : messages) {
                p.markup("<|").markup(m.role()).markup("|>\n").content(m.content()).markup(eos + "\n");
            }
            if (addGenerationPrompt) {
                p.markup("<|assistant|>\n");
            }
            return p.segments();
        }
    }

    /** No template: the message contents as plain paragraphs, for models without a chat format. */
    record Plain() implements ChatTemplate {
        @Override
        public String name() {
            return "plain";
        }

        @Override
        public List<TextSegment> segments(List<ChatMessage> messages, boolean addGenerationPrompt) {
            PromptBuilder p = new PromptBuilder();
            for (int i = 0; i < messages.size(); i++) {
                if (i > 0) {
                    p.content("\n\n");
                }
                p.content(messages.get(i).content());
            }
            return p.segments(); // a plain model just continues the text
        }
    }
}
