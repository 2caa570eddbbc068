package net.rhizome.swarm.metainfo;

import java.util.Locale;
import java.util.Set;

/** Validates path components taken from metainfo so that a torrent can never name a file outside its store. */
public final class PathNames {
    private static final Set<String> DEVICES = Set.of("CON", "PRN", "AUX", "NUL",
            "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
            "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9");
    private static final int MAX_COMPONENT = 255;

    private PathNames() {}

    /** Returns {@code name} if it is a safe single path component; otherwise throws naming the problem. */
    public static String check(String name, String what) {
        if (name.isEmpty()) {
            throw new MetainfoException(what + " is empty");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new MetainfoException(what + " '" + name + "' refers to a parent or current directory");
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_COMPONENT) {
            throw new MetainfoException(what + " is longer than " + MAX_COMPONENT + " bytes");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                throw new MetainfoException(what + " '" + name + "' contains a path separator");
            }
            if (c < 0x20 || c == 0x7f || c == ':' ) {
                throw new MetainfoException(what + " '" + printable(name) + "' contains a control character or ':'");
            }
            if (c == '\uFFFD') {
                throw new MetainfoException(what + " is not valid UTF-8");
            }
        }
        String stem = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        if (DEVICES.contains(stem.toUpperCase(Locale.ROOT).trim())) {
            throw new MetainfoException(what + " '" + name + "' is a reserved device name");
        }
        if (name.endsWith(" ") || name.endsWith(".")) {
            throw new MetainfoException(what + " '" + name + "' ends with a space or dot");
        }
        return name;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> b.append(cp < 0x20 || cp == 0x7f ? "?" : Character.toString(cp)));
        return b.toString();
    }
}
