package net.rhizome.core.util;

import java.util.HexFormat;

/** Lower-case hex encoding with a clear error for bad input. */
public final class Hex {
    private static final HexFormat FORMAT = HexFormat.of();

    private Hex() {}

    public static String encode(byte[] bytes) {
        return FORMAT.formatHex(bytes);
    }

    /** Decodes hex text, naming what is wrong when it is not valid hex. */
    public static byte[] decode(String text) {
        if ((text.length() & 1) != 0) {
            throw new IllegalArgumentException("hex text has an odd length (" + text.length() + ")");
        }
        try {
            return FORMAT.parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not hex: " + abbreviate(text), e);
        }
    }

    /** Decodes hex text that must stand for exactly {@code length} bytes. */
    public static byte[] decode(String text, int length, String what) {
        if (text.length() != length * 2) {
            throw new IllegalArgumentException(what + " must be " + (length * 2) + " hex characters, got " + text.length());
        }
        return decode(text);
    }

    private static String abbreviate(String text) {
        return text.length() <= 24 ? text : text.substring(0, 24) + "…";
    }
}
