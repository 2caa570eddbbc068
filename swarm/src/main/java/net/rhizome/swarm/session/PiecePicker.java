package net.rhizome.swarm.session;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntPredicate;
import net.rhizome.swarm.metainfo.InfoDict;
import net.rhizome.swarm.metainfo.Merkle;

/**
 * Chooses which block to request next: finish pieces already started, otherwise the rarest piece
 * the peer has (random among equals); when every missing block is already requested, endgame mode
 * hands out duplicate requests for blocks still outstanding. Only the leading pieces wanted are picked
 * (all of them for a whole download). Not thread-safe: the session locks.
 */
final class PiecePicker {
    /** A block to request: piece, byte offset and length. */
    record Block(int piece, int offset, int length) {
        int index() {
            return offset / Merkle.BLOCK;
        }
    }

    /** A piece being downloaded: its buffer, which blocks arrived, and who was asked for each. */
    static final class Partial {
        final int piece;
        final int size;
        final int blocks;
        /** The verified blocks received so far, by index. */
        final byte[][] data;
        final BitSet received = new BitSet();
        final byte[][] leaves;
        final Object[] senders;
        final List<List<Object>> requesters = new ArrayList<>();
        /** Set after a failed check with several senders: the piece is then fetched from this one peer only. */
        Object owner;
        boolean exclusive;
        /** Blocks neither received nor requested from anyone, so {@link #next} skips pieces with none. */
        private int open;

        Partial(int piece, int size) {
            this.piece = piece;
            this.size = size;
            this.blocks = (int) Merkle.blocks(size);
            this.data = new byte[blocks][];
            this.leaves = new byte[blocks][];
            this.senders = new Object[blocks];
            this.open = blocks;
            for (int i = 0; i < blocks; i++) {
                requesters.add(new ArrayList<>(2));
            }
        }

        boolean complete() {
            return received.cardinality() == blocks;
        }

        /** Records block {@code b} as received (its requesters are then forgotten by the caller). */
        void markReceived(int b) {
            if (!received.get(b)) {
                if (requesters.get(b).isEmpty()) {
                    open--;
                }
                received.set(b);
            }
        }

        /** Forgets a received block that turned out wrong, so it is requested again. */
        void unreceive(int b) {
            if (received.get(b)) {
                received.clear(b);
                if (requesters.get(b).isEmpty()) {
                    open++;
                }
            }
        }

        private void request(int b, Object peer) {
            List<Object> r = requesters.get(b);
            if (r.isEmpty() && !received.get(b)) {
                open--;
            }
            r.add(peer);
        }

        private void unrequest(int b, Object peer) {
            List<Object> r = requesters.get(b);
            if (r.remove(peer) && r.isEmpty() && !received.get(b)) {
                open++;
            }
        }

        int blockLength(int b) {
            return Math.min(Merkle.BLOCK, size - b * Merkle.BLOCK);
        }
    }

    private final InfoDict info;
    private final BitSet have;
    private final int[] availability;
    private final Map<Integer, Partial> partials = new HashMap<>();
    /** The keys of {@link #partials}, for bit operations when choosing a new piece. */
    private final BitSet started = new BitSet();
    private final java.util.Set<Integer> exclusive = new java.util.HashSet<>();
    private int wanted;

    PiecePicker(InfoDict info, BitSet have, int wanted) {
        this.info = info;
        this.have = have;
        this.availability = new int[info.pieceCount()];
        this.wanted = wanted;
    }

    /** Picks pieces below {@code pieces} from now on (the number wanted only grows). */
    void want(int pieces) {
        wanted = Math.max(wanted, pieces);
    }

    void peerHas(BitSet pieces) {
        for (int p = pieces.nextSetBit(0); p >= 0 && p < availability.length; p = pieces.nextSetBit(p + 1)) {
            availability[p]++;
        }
    }

    void peerHas(int piece) {
        availability[piece]++;
    }

    void peerGone(BitSet pieces) {
        for (int p = pieces.nextSetBit(0); p >= 0 && p < availability.length; p = pieces.nextSetBit(p + 1)) {
            availability[p]--;
        }
    }

    Partial partial(int piece) {
        return partials.get(piece);
    }

    Partial removePartial(int piece) {
        started.clear(piece);
        return partials.remove(piece);
    }

    /** Forgets outstanding requests by {@code peer} (it choked us, was snubbed or left). */
    void release(Object peer) {
        for (Partial p : partials.values()) {
            for (int b = 0; b < p.blocks; b++) {
                p.unrequest(b, peer);
            }
            if (p.owner == peer) {
                p.owner = null;
            }
        }
    }

    void release(Object peer, Block b) {
        Partial p = partials.get(b.piece());
        if (p != null) {
            p.unrequest(b.index(), peer);
        }
    }

    /**
     * The next block to request from {@code peer}, which has {@code peerHas}; {@code verifiable}
     * says whether a piece's hash is known (only those are downloaded). Null if none.
     */
    Block next(Object peer, BitSet peerHas, IntPredicate verifiable) {
        for (Partial p : partials.values()) {
            if (p.open == 0 || !peerHas.get(p.piece) || p.exclusive && p.owner != null && p.owner != peer) {
                continue;
            }
            for (int b = 0; b < p.blocks; b++) {
                if (!p.received.get(b) && p.requesters.get(b).isEmpty()) {
                    return take(p, b, peer);
                }
            }
        }
        int best = -1;
        int bestAvail = Integer.MAX_VALUE;
        int ties = 0;
        BitSet candidates = (BitSet) peerHas.clone();
        candidates.andNot(have);
        candidates.andNot(started);
        for (int piece = candidates.nextSetBit(0); piece >= 0 && piece < wanted; piece = candidates.nextSetBit(piece + 1)) {
            if (!verifiable.test(piece)) {
                continue;
            }
            int a = availability[piece];
            if (a < bestAvail) {
                best = piece;
                bestAvail = a;
                ties = 1;
            } else if (a == bestAvail && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                best = piece;
            }
        }
        if (best >= 0) {
            Partial p = new Partial(best, info.pieceSize(best));
            p.exclusive = exclusive.remove(best);
            partials.put(best, p);
            started.set(best);
            return take(p, 0, peer);
        }
        return endgame(peer, peerHas);
    }

    /** After a failed check with blocks from several peers, the next attempt at the piece uses a single peer. */
    void markExclusive(int piece) {
        exclusive.add(piece);
    }

    private Block endgame(Object peer, BitSet peerHas) {
        Partial chosen = null;
        int chosenBlock = -1;
        int fewest = Integer.MAX_VALUE;
        for (Partial p : partials.values()) {
            if (!peerHas.get(p.piece) || p.exclusive && p.owner != null && p.owner != peer) {
                continue;
            }
            for (int b = 0; b < p.blocks; b++) {
                List<Object> r = p.requesters.get(b);
                if (!p.received.get(b) && !r.contains(peer) && r.size() < fewest) {
                    chosen = p;
                    chosenBlock = b;
                    fewest = r.size();
                }
            }
        }
        return chosen == null ? null : take(chosen, chosenBlock, peer);
    }

    private Block take(Partial p, int b, Object peer) {
        p.request(b, peer);
        if (p.exclusive && p.owner == null) {
            p.owner = peer;
        }
        return new Block(p.piece, b * Merkle.BLOCK, p.blockLength(b));
    }

    /** Wanted pieces we lack that {@code peerHas} has, i.e. whether we are interested. */
    boolean wants(BitSet peerHas) {
        BitSet missing = (BitSet) peerHas.clone();
        missing.andNot(have);
        missing.clear(wanted, Math.max(wanted, missing.length()));
        return !missing.isEmpty();
    }

    int inProgress() {
        return partials.size();
    }
}
