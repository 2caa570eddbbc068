package net.rhizome.inference.chat;

import java.util.List;

/** The template variants; each renders exactly as llama.cpp's built-in version of that template. */
final class ChatTemplates {
    private ChatTemplates() {
    }

    /** ChatML, used by Qwen and many fine-tunes. */
    record ChatMl() implements ChatTemplate {
        @Override
        public String name() {
            return "chatml";
        }

        @Override
        public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            StringBuilder sb = new StringBuilder();
            for (ChatMessage m : messages) {
                sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
            }
            if (addGenerationPrompt) {
                sb.append("<|im_start|>assistant\n");
            }
            return sb.toString();
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
        public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            StringBuilder sb = new StringBuilder("[INST] ");
            boolean insideTurn = true;
            for (ChatMessage m : messages) {
                String content = strip ? m.content().strip() : m.content();
                if (!insideTurn) {
                    insideTurn = true;
                    sb.append(bosInsideHistory ? "<s>[INST] " : "[INST] ");
                }
                switch (m.role()) {
                    case "system" -> sb.append(systemBlock ? "<<SYS>>\n" + content + "\n<</SYS>>\n\n" : content + "\n");
                    case "user" -> sb.append(content).append(" [/INST]");
                    default -> {
                        sb.append(content).append("</s>");
                        insideTurn = false;
                    }
                }
            }
            return sb.toString(); // the generation prompt is the open [INST] turn itself
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
        public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            String leading = variant == MistralVariant.V1 ? " " : "";
            String trailing = variant == MistralVariant.V3_TEKKEN ? "" : " ";
            StringBuilder sb = new StringBuilder();
            boolean insideTurn = false;
            for (ChatMessage m : messages) {
                if (!insideTurn) {
                    sb.append(leading).append("[INST]").append(trailing);
                    insideTurn = true;
                }
                switch (m.role()) {
                    case "system" -> sb.append(m.content()).append("\n\n");
                    case "user" -> sb.append(m.content()).append(leading).append("[/INST]");
                    default -> {
                        String content = variant == MistralVariant.V3 ? m.content().strip() : m.content();
                        sb.append(trailing).append(content).append("</s>");
                        insideTurn = false;
                    }
                }
            }
            return sb.toString();
        }
    }

    /** Llama 3 / 3.1 / 3.2 instruct. */
    record Llama3() implements ChatTemplate {
        @Override
        public String name() {
            return "llama3";
        }

        @Override
        public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            StringBuilder sb = new StringBuilder();
            for (ChatMessage m : messages) {
                sb.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
                        .append(m.content().strip()).append("<|eot_id|>");
            }
            if (addGenerationPrompt) {
                sb.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
            }
            return sb.toString();
        }
    }

    /** Phi-3 instruct. */
    record Phi3() implements ChatTemplate {
        @Override
        public String name() {
            return "phi3";
        }

        @Override
        public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            StringBuilder sb = new StringBuilder();
            for (ChatMessage m : messages) {
                sb.append("<|").append(m.role()).append("|>\n").append(m.content()).append("<|end|>\n");
            }
            if (addGenerationPrompt) {
                sb.append("<|assistant|>\n");
            }
            return sb.toString();
        }
    }

    /** Zephyr: {@code <|role|>\ncontent EOS\n}; {@code eos} is the end-of-turn text the model uses. */
    record Zephyr(String eos) implements ChatTemplate {
        @Override
        public String name() {
            return "zephyr";
        }

        @Override
        public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            StringBuilder sb = new StringBuilder();
            for (ChatMessage m : messages) {
                sb.append("<|").append(m.role()).append("|>\n").append(m.content()).append(eos).append('\n');
            }
            if (addGenerationPrompt) {
                sb.append("<|assistant|>\n");
            }
            return sb.toString();
        }
    }

    /** No template: the message contents as plain paragraphs, for models without a chat format. */
    record Plain() implements ChatTemplate {
        @Override
        public String name() {
            return "plain";
        }

        @Override
        public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            StringBuilder sb = new StringBuilder();
            for (ChatMessage m : messages) {
                if (!sb.isEmpty()) {
                    sb.append("\n\n");
                }
                sb.append(m.content());
            }
            return sb.toString(); // a plain model just continues the text
        }
    }
}
