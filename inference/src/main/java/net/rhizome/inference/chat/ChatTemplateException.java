package net.rhizome.inference.chat;

/** The model's chat template is missing or not one we can render; the message names it. */
public final class ChatTemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChatTemplateException(String message) {
        super(message);
    }
}
