package net.rhizome.node.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code Content-Range: bytes START-END/TOTAL} header of a 206 answer; {@code total} is -1 for {@code *}. */
record ContentRange(long start, long end, long total) {
    private static final int MAX_HEADER_CHARS = 100;
    private static final Pattern FORMAT = Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18}|\\*)");

    static ContentRange parse(String header) throws DownloadException {
        if (header == null) {
            throw new DownloadException("partial answer (HTTP 206) without a Content-Range header", false);
        }
        String h = header.trim();
        Matcher m = h.length() <= MAX_HEADER_CHARS ? FORMAT.matcher(h) : null;
        if (m == null || !m.matches()) {
            throw new DownloadException("malformed Content-Range header: '" + abbreviate(h) + "'", false);
        }
        long start = Long.parseLong(m.group(1));
        long end = Long.parseLong(m.group(2));
        long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
        if (end < start || (total >= 0 && end >= total)) {
            throw new DownloadException("inconsistent Content-Range header: '" + h + "'", false);
        }
        return new ContentRange(start, end, total);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
