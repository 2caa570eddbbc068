package net.rhizome.net.transport;

import net.rhizome.core.crypto.PeerId;

/** Receives reports of peers that broke the protocol (the peer book lowers their score). */
@FunctionalInterface
public interface Misbehaviour {
    Misbehaviour IGNORE = (peer, reason) -> {};

    void report(PeerId peer, String reason);

    /** True while {@code peer} is banned: the server then refuses all its calls. */
    default boolean refuses(PeerId peer) {
        return false;
    }
}
