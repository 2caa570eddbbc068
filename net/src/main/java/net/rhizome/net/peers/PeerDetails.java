package net.rhizome.net.peers;

import java.util.List;
import java.util.Set;

/**
 * What a peer says about itself (from its signed node record or its node info).
 *
 * @param recordVerified true when these details come from a node record whose Ed25519 signature by
 *     the peer's key was checked
 */
public record PeerDetails(Set<String> roles, String httpUrl, String softwareVersion, List<String> models, boolean recordVerified) {
    public static final PeerDetails UNKNOWN = new PeerDetails(Set.of(), "", "", List.of(), false);

    public PeerDetails {
        roles = Set.copyOf(roles);
        models = List.copyOf(models);
    }
}
