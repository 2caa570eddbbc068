package net.rhizome.node.cli.node;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import net.rhizome.net.transport.HostPort;
import net.rhizome.node.daemon.Role;
import picocli.CommandLine.ITypeConverter;

/** Picocli converters for the node's option types; each failure names what was expected. */
final class CliConverters {
    private CliConverters() {}

    static final class HostPortConverter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            return HostPort.parse(value);
        }
    }

    static final class RolesConverter implements ITypeConverter<Set<Role>> {
        @Override
        public Set<Role> convert(String value) {
            return Role.parseList(value);
        }
    }

    /** Durations written as {@code 500ms}, {@code 30s}, {@code 2m} or {@code 1h}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                if (v.endsWith("ms")) {
                    return positive(Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))), value);
                }
                long n = Long.parseLong(v.substring(0, Math.max(0, v.length() - 1)));
                return switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
                    case 's' -> positive(Duration.ofSeconds(n), value);
                    case 'm' -> positive(Duration.ofMinutes(n), value);
                    case 'h' -> positive(Duration.ofHours(n), value);
                    default -> throw new IllegalArgumentException("expected a duration like 500ms, 30s, 2m or 1h, got '" + value + "'");
                };
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a duration like 500ms, 30s, 2m or 1h, got '" + value + "'");
            }
        }

        private static Duration positive(Duration d, String text) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("duration must be positive, got '" + text + "'");
            }
            return d;
        }
    }
}
