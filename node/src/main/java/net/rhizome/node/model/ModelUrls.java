package net.rhizome.node.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Recognises and checks model URLs, and derives the stored file name from them. */
public final class ModelUrls {
    private static final int MAX_URL_CHARS = 8192;
    private static final int MAX_NAME_CHARS = 200;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0," + (MAX_NAME_CHARS - 1) + "}");

    private ModelUrls() {}

    /** Whether a {@code --model} argument names a URL rather than a file or model id. */
    public static boolean isUrl(String s) {
        String l = s.toLowerCase(Locale.ROOT);
        return l.startsWith("http://") || l.startsWith("https://");
    }

    public static URI parse(String s) throws DownloadException {
        if (s.length() > MAX_URL_CHARS) {
            throw new DownloadException("the URL is longer than " + MAX_URL_CHARS + " characters", false);
        }
        URI u;
        try {
            u = new URI(s.trim());
        } catch (URISyntaxException e) {
            throw new DownloadException("not a valid URL: " + e.getMessage(), false);
        }
        check(u);
        return u;
    }

    static void check(URI u) throws DownloadException {
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new DownloadException("only http:// and https:// URLs can be downloaded, got '" + u + "'", false);
        }
        if (u.getHost() == null) {
            throw new DownloadException("the URL '" + u + "' has no host", false);
        }
    }

    /** The last path segment with anything but letters, digits, '.', '_' and '-' replaced; "model.gguf" if empty. */
    public static String fileName(URI u) {
        String path = u.getPath() == null ? "" : u.getPath();
        String last = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_").replaceFirst("^[.-]+", "");
        if (last.length() > MAX_NAME_CHARS) {
            last = last.substring(last.length() - MAX_NAME_CHARS);
        }
        return last.isEmpty() ? "model.gguf" : last;
    }

    /** Checks a {@code --name}: a plain file name, no directories. */
    public static String checkName(String name) throws DownloadException {
        if (!NAME.matcher(name).matches()) {
            throw new DownloadException("--name must be a plain file name of letters, digits, '.', '_' and '-' (at most "
                    + MAX_NAME_CHARS + " characters, not starting with '.' or '-'), got '" + name + "'", false);
        }
        return name;
    }
}
