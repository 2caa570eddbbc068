package net.rhizome.inference.tokenizer;

import java.util.Objects;

/**
 * A piece of a prompt for {@link Tokenizer#encode(java.util.List, boolean)}: template markup, in
 * which control tokens such as {@code <|im_start|>} are recognised, or untrusted content, in which
 * they are plain text (so a user cannot forge a turn by typing a marker).
 */
public record TextSegment(String text, boolean parseSpecial) {
    public TextSegment {
        Objects.requireNonNull(text, "text");
    }

    public static TextSegment markup(String text) {
        return new TextSegment(text, true);
    }

    public static TextSegment content(String text) {
        return new TextSegment(text, false);
    }
}
