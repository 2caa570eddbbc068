package net.rhizome.net.peers;

import java.time.Instant;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.transport.HostPort;

/**
 * One known Rhizome peer: its authenticated id, where its RPC endpoint is, what it says about
 * itself, and how it has behaved.
 *
 * @param score starts at {@link PeerBook#INITIAL_SCORE}; lowered on misbehaviour, raised slowly by
 *     successful pings; a peer at or below zero is dropped and refused for a while
 * @param failures consecutive failed liveness checks
 */
public record Peer(
        PeerId id,
        HostPort rpcAddress,
        PeerDetails details,
        Instant firstSeen,
        Instant lastSeen,
        int score,
        int failures,
        String lastProblem) {

    Peer alive(Instant now, PeerDetails current) {
        return new Peer(id, rpcAddress, current, firstSeen, now, Math.min(PeerBook.INITIAL_SCORE, score + 1), 0, lastProblem);
    }

    Peer failed(String problem) {
        return new Peer(id, rpcAddress, details, firstSeen, lastSeen, score, failures + 1, problem);
    }

    Peer penalized(int points, String problem) {
        return new Peer(id, rpcAddress, details, firstSeen, lastSeen, score - points, failures, problem);
    }

    Peer update(HostPort address, PeerDetails newDetails, Instant now) {
        return new Peer(id, address, newDetails, firstSeen, now, score, 0, lastProblem);
    }
}
