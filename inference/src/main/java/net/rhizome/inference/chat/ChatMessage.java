package net.rhizome.inference.chat;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One turn of a conversation; {@code role} is usually {@code system}, {@code user} or {@code assistant}.
 * Roles are plain identifiers because templates write them as markup, next to control tokens.
 */
public record ChatMessage(String role, String content) {
    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (!ROLE.matcher(role).matches()) {
            throw new IllegalArgumentException("chat message role must be 1 to 32 letters, digits, '_' or '-', got '"
                    + (role.length() > 40 ? role.substring(0, 40) + "…" : role) + "'");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
