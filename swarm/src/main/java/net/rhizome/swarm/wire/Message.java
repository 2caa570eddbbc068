package net.rhizome.swarm.wire;

/** BitTorrent peer wire messages: BEP 3, BEP 6 (fast), BEP 10 (extended) and BEP 52 (hashes). */
public sealed interface Message {
    record KeepAlive() implements Message {}

    record Choke() implements Message {}

    record Unchoke() implements Message {}

    record Interested() implements Message {}

    record NotInterested() implements Message {}

    record Have(int piece) implements Message {}

    record Bitfield(byte[] bits) implements Message {}

    record Request(int piece, int offset, int length) implements Message {}

    record Piece(int piece, int offset, byte[] block) implements Message {}

    record Cancel(int piece, int offset, int length) implements Message {}

    record Port(int port) implements Message {}

    record SuggestPiece(int piece) implements Message {}

    record HaveAll() implements Message {}

    record HaveNone() implements Message {}

    record RejectRequest(int piece, int offset, int length) implements Message {}

    record AllowedFast(int piece) implements Message {}

    /** BEP 10: id 0 is the extension handshake, others are the ids the receiver announced. */
    record Extended(int id, byte[] payload) implements Message {}

    /** BEP 52 hash request / hashes / hash reject share this header; {@code hashes} is empty except for Hashes. */
    record HashRequest(byte[] piecesRoot, int base, int index, int count, int proofLayers) implements Message {}

    record Hashes(byte[] piecesRoot, int base, int index, int count, int proofLayers, byte[] hashes) implements Message {}

    record HashReject(byte[] piecesRoot, int base, int index, int count, int proofLayers) implements Message {}

    /** An id this implementation does not know; ignored per BEP 3. */
    record Unknown(int id) implements Message {}
}
