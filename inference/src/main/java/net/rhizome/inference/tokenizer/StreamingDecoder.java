package net.rhizome.inference.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns a stream of token ids into text chunks that never split a UTF-8 character: bytes of an
 * incomplete character at the end are held back until the token that completes it arrives. Byte
 * sequences that can never become valid UTF-8 are emitted as U+FFFD. Not thread-safe; one per stream.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one token; returns the text that is now complete (possibly empty). Control tokens add nothing. */
    public String accept(int tokenId) {
        pending.writeBytes(tokenizer.pieceBytes(tokenId));
        byte[] bytes = pending.toByteArray();
        int complete = completePrefix(bytes);
        pending.reset();
        pending.write(bytes, complete, bytes.length - complete);
        return new String(bytes, 0, complete, StandardCharsets.UTF_8);
    }

    /** Ends the stream: whatever is still held back, with invalid bytes as U+FFFD. */
    public String finish() {
        String rest = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return rest;
    }

    /**
     * Length of the longest prefix that does not end inside a UTF-8 sequence that could still be
     * completed. A trailing lead byte followed by too few continuation bytes is held back.
     */
    static int completePrefix(byte[] b) {
        int n = b.length;
        // a UTF-8 sequence is at most 4 bytes: look back at most 3 bytes for its lead byte
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xFF;
            if ((c & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for the lead
            }
            int need = c < 0xC2 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
