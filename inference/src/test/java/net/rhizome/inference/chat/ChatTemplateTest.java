package net.rhizome.inference.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.List;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufTestFiles;
import net.rhizome.inference.tokenizer.TextSegment;
import org.junit.jupiter.api.Test;

/** Expected prompts are llama.cpp's renderings of the same conversation (tests/test-chat-template.cpp). */
class ChatTemplateTest {
    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("You are a helpful assistant"),
            ChatMessage.user("Hello"),
            ChatMessage.assistant("Hi there"),
            ChatMessage.user("Who are you"),
            ChatMessage.assistant("   I am an assistant   "),
            ChatMessage.user("Another question"));

    static final String QWEN2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role']"
            + " + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";
    static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}"
            + "{% endif %}{% for message in loop_messages %}{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}"
            + "{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}"
            + "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            + "{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";
    static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim"
            + " + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
    static final String MISTRAL_V1 = "{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content'] %}"
            + "{%- set loop_messages = messages[1:] %}{%- else %}{%- set loop_messages = messages %}{%- endif %}{{- bos_token }}"
            + "{%- for message in loop_messages %}{%- if message['role'] == 'user' %}{%- if loop.first and system_message is defined %}"
            + "{{- ' [INST] ' + system_message + '\\n\\n' + message['content'] + ' [/INST]' }}{%- else %}"
            + "{{- ' [INST] ' + message['content'] + ' [/INST]' }}{%- endif %}{%- elif message['role'] == 'assistant' %}"
            + "{{- ' ' + message['content'] + eos_token}}{%- endif %}{%- endfor %}";
    static final String ZEPHYR = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n"
            + "{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n"
            + "{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n"
            + "{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n"
            + "{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";
    static final String PHI3 = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') %}"
            + "{{'<|user|>' + '\n' + message['content'] + '<|end|>' + '\n' + '<|assistant|>' + '\n'}}"
            + "{% elif (message['role'] == 'assistant') %}{{message['content'] + '<|end|>' + '\n'}}{% endif %}{% endfor %}";

    private static ChatTemplate recognised(String source) {
        return ChatTemplate.recognise(source, "</s>").orElseThrow();
    }

    @Test
    void chatml() {
        ChatTemplate t = recognised(QWEN2);
        assertThat(t.name()).isEqualTo("chatml");
        assertThat(t.render(CONVERSATION, true)).isEqualTo("<|im_start|>system\nYou are a helpful assistant<|im_end|>\n"
                + "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi there<|im_end|>\n"
                + "<|im_start|>user\nWho are you<|im_end|>\n<|im_start|>assistant\n   I am an assistant   <|im_end|>\n"
                + "<|im_start|>user\nAnother question<|im_end|>\n<|im_start|>assistant\n");
        // Qwen 2's template supplies a system prompt when the conversation has none
        assertThat(t.render(List.of(ChatMessage.user("Hi")), false))
                .isEqualTo("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n");
        assertThat(ChatTemplate.named("chatml").orElseThrow().render(List.of(ChatMessage.user("Hi")), false))
                .isEqualTo("<|im_start|>user\nHi<|im_end|>\n");
    }

    @Test
    void metaLlama2TemplateRendersAsItsJinja() {
        ChatTemplate t = recognised(LLAMA2);
        assertThat(t.name()).isEqualTo("llama2-chat");
        assertThat(t.render(CONVERSATION, true)).isEqualTo("[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\n"
                + "Hello [/INST] Hi there </s><s>[INST] Who are you [/INST] I am an assistant </s><s>[INST] Another question [/INST]");
    }

    @Test
    void llama2StripVariantAsLlamaCppBuiltIn() {
        ChatTemplate t = recognised("{% for m in messages %}{{ '[INST] ' + m['content'].strip() }}{% endfor %} content.strip()");
        assertThat(t).isEqualTo(new ChatTemplates.Llama2(true, false, true));
        assertThat(t.render(CONVERSATION, true)).isEqualTo("[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\n"
                + "Hello [/INST]Hi there</s>[INST] Who are you [/INST]I am an assistant</s>[INST] Another question [/INST]");
    }

    @Test
    void llama2WithBosInsideHistory() {
        ChatTemplate t = recognised("{% for m in messages %}{{ bos_token + '[INST] ' + m['content'] }}{% endfor %}");
        assertThat(t.render(CONVERSATION, true)).isEqualTo("[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\n"
                + "Hello [/INST]Hi there</s><s>[INST] Who are you [/INST]   I am an assistant   </s><s>[INST] Another question [/INST]");
    }

    @Test
    void llama2Plain() {
        ChatTemplate t = ChatTemplate.named("llama2-sys").orElseThrow();
        assertThat(t.render(CONVERSATION, true)).isEqualTo("[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\n"
                + "Hello [/INST]Hi there</s>[INST] Who are you [/INST]   I am an assistant   </s>[INST] Another question [/INST]");
    }

    @Test
    void llama3TrimsContent() {
        ChatTemplate t = recognised(LLAMA3);
        assertThat(t.name()).isEqualTo("llama3");
        assertThat(t.render(CONVERSATION, true)).isEqualTo(
                "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nI am an assistant<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nAnother question<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void mistralV1() {
        ChatTemplate t = recognised(MISTRAL_V1);
        assertThat(t.name()).isEqualTo("mistral-v1");
        assertThat(t.render(CONVERSATION, true)).isEqualTo(" [INST] You are a helpful assistant\n\nHello [/INST]"
                + " Hi there</s> [INST] Who are you [/INST]    I am an assistant   </s> [INST] Another question [/INST]");
    }

    @Test
    void mistralV3TrimsAssistant() {
        ChatTemplate t = ChatTemplate.named("mistral-v3").orElseThrow();
        assertThat(t.render(CONVERSATION, true)).isEqualTo("[INST] You are a helpful assistant\n\nHello[/INST]"
                + " Hi there</s>[INST] Who are you[/INST] I am an assistant</s>[INST] Another question[/INST]");
    }

    @Test
    void zephyrUsesTheModelsEos() {
        ChatTemplate t = recognised(ZEPHYR);
        assertThat(t.name()).isEqualTo("zephyr");
        assertThat(t.render(List.of(ChatMessage.system("S"), ChatMessage.user("Hello")), true))
                .isEqualTo("<|system|>\nS</s>\n<|user|>\nHello</s>\n<|assistant|>\n");
    }

    @Test
    void phi3MiniFoldsSystemIntoFirstUserTurn() {
        ChatTemplate t = recognised(PHI3);
        assertThat(t.name()).isEqualTo("phi3");
        assertThat(t.render(CONVERSATION.subList(0, 2), true))
                .isEqualTo("<|user|>\nYou are a helpful assistant\nHello<|end|>\n<|assistant|>\n");
    }

    @Test
    void phi3WithSystemRole() {
        ChatTemplate t = ChatTemplate.named("phi3").orElseThrow();
        assertThat(t.render(CONVERSATION, true)).isEqualTo("<|system|>\nYou are a helpful assistant<|end|>\n"
                + "<|user|>\nHello<|end|>\n<|assistant|>\nHi there<|end|>\n<|user|>\nWho are you<|end|>\n"
                + "<|assistant|>\n   I am an assistant   <|end|>\n<|user|>\nAnother question<|end|>\n<|assistant|>\n");
    }

    @Test
    void unknownTemplateIsAnErrorNamingItUnlessFallbackAllowed() {
        String alien = "{% for m in messages %}<<turn {{ m.role }}>>{{ m.content }}{% endfor %}";
        byte[] file = GgufTestFiles.withMetadata("tokenizer.chat_template", alien);
        try (GgufFile gguf = GgufFile.of(MemorySegment.ofArray(file))) {
            assertThatThrownBy(() -> ChatTemplate.fromGguf(gguf, false))
                    .isInstanceOf(ChatTemplateException.class)
                    .hasMessageContaining("not recognised")
                    .hasMessageContaining("<<turn");
            ChatTemplate plain = ChatTemplate.fromGguf(gguf, true);
            assertThat(plain.name()).isEqualTo("plain");
            assertThat(plain.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Once upon a time")), true))
                    .isEqualTo("Be brief.\n\nOnce upon a time");
        }
    }

    @Test
    void missingTemplateIsAnError() {
        byte[] file = GgufTestFiles.withMetadata("general.architecture", "llama");
        try (GgufFile gguf = GgufFile.of(MemorySegment.ofArray(file))) {
            assertThatThrownBy(() -> ChatTemplate.fromGguf(gguf, false))
                    .isInstanceOf(ChatTemplateException.class)
                    .hasMessageContaining("no chat template");
        }
    }

    @Test
    void templateFromRealGgufMetadata() {
        byte[] file = GgufTestFiles.withMetadata("tokenizer.chat_template", PHI3);
        try (GgufFile gguf = GgufFile.of(MemorySegment.ofArray(file))) {
            assertThat(ChatTemplate.fromGguf(gguf, false).name()).isEqualTo("phi3");
        }
    }

    @Test
    void rolesMustBePlainIdentifiers() {
        assertThatThrownBy(() -> new ChatMessage("<|im_start|>system", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("role must be");
        assertThat(new ChatMessage("tool_call-2", "x").role()).isEqualTo("tool_call-2");
    }

    @Test
    void segmentsSeparateMarkupFromContent() {
        List<TextSegment> segments = new ChatTemplates.ChatMl(null).segments(List.of(ChatMessage.user("hi<|im_end|>")), true);
        assertThat(segments).containsExactly(
                TextSegment.markup("<|im_start|>user\n"), TextSegment.content("hi<|im_end|>"),
                TextSegment.markup("<|im_end|>\n<|im_start|>assistant\n"));
    }
}
