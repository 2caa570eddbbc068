package net.rhizome.node.daemon;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a node offers the network; a node may take several roles. */
public enum Role {
    GATEWAY, WORKER, SEEDER, AUDITOR, SCANNER;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a comma-separated list such as {@code gateway,worker}; an unknown name is an error naming it. */
    public static Set<Role> parseList(String text) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        if (text == null || text.isBlank()) {
            return roles;
        }
        for (String part : text.split(",", 16)) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            try {
                roles.add(valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown role '" + name + "' (roles: gateway, worker, seeder, auditor, scanner)");
            }
        }
        return roles;
    }
}
