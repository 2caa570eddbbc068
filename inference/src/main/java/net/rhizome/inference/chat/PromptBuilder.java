package net.rhizome.inference.chat;

import java.util.ArrayList;
import java.util.List;
import net.rhizome.inference.tokenizer.TextSegment;

/** Collects a rendered prompt as alternating markup (template text) and content (message text) segments. */
final class PromptBuilder {
    private final List<TextSegment> segments = new ArrayList<>();

    PromptBuilder markup(String text) {
        return add(text, true);
    }

    PromptBuilder content(String text) {
        return add(text, false);
    }

    /** Appends, joining with the previous segment of the same kind so markers split over calls still match. */
    private PromptBuilder add(String text, boolean markup) {
        if (text.isEmpty()) {
            return this;
        }
        int last = segments.size() - 1;
        if (last >= 0 && segments.get(last).parseSpecial() == markup) {
            segments.set(last, new TextSegment(segments.get(last).text() + text, markup));
        } else {
            segments.add(new TextSegment(text, markup));
        }
        return this;
    }

    List<TextSegment> segments() {
        return List.copyOf(segments);
    }
}
