package net.rhizome.node.cli.model;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A byte count such as {@code 1000}, {@code 512M}, {@code 20G} or {@code 1TiB} (binary units). */
final class ByteSizeConverter implements ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*(?:([kmgt])(?:i?b)?|b)?");

    @Override
    public Long convert(String value) {
        Matcher m = value.length() <= 30 ? SIZE.matcher(value.trim().toLowerCase(Locale.ROOT)) : null;
        if (m == null || !m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a size (examples: 1000, 512M, 20G, 1T)");
        }
        int shift = m.group(2) == null ? 0 : 10 * ("kmgt".indexOf(m.group(2)) + 1);
        long n = Long.parseLong(m.group(1));
        if (n < 1 || n > Long.MAX_VALUE >> shift) {
            throw new TypeConversionException("'" + value + "' is out of range");
        }
        return n << shift;
    }
}
