package net.rhizome.node.gateway;

import java.util.List;

/** What the user asked: chat messages (rendered with the model's chat template) or raw text. */
public sealed interface Prompt {
    record Chat(List<ChatMessage> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
        }
    }

    record Text(String text) implements Prompt {}

    record ChatMessage(String role, String content) {}
}
