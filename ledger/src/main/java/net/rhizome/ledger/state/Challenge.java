package net.rhizome.ledger.state;

import java.util.ArrayList;
import java.util.List;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.codec.Reader;
import net.rhizome.ledger.codec.Writer;

/**
 * An open dispute: the challenger's RHZ bond is locked until it is resolved. The evidence itself
 * stays in the transaction log; state keeps its hash. Votes are kept in arrival order.
 */
public record Challenge(Hash32 id, PeerId challenger, PeerId worker, Hash32 job, Hash32 evidenceHash, long bond,
                        PeerId user, long refund, List<Ballot> ballots) implements StateEntry {
    public static final int MAX_BALLOTS = 255;

    public record Ballot(PeerId voter, boolean guilty) {}

    public Challenge {
        ballots = List.copyOf(ballots);
        if (bond <= 0 || refund < 0 || ballots.size() > MAX_BALLOTS) {
            throw new IllegalArgumentException("challenge " + id.shortHex() + " out of range");
        }
    }

    public boolean hasVoted(PeerId voter) {
        return ballots.stream().anyMatch(b -> b.voter().equals(voter));
    }

    public long guiltyVotes() {
        return ballots.stream().filter(Ballot::guilty).count();
    }

    public Challenge withBallot(Ballot b) {
        List<Ballot> next = new ArrayList<>(ballots);
        next.add(b);
        return new Challenge(id, challenger, worker, job, evidenceHash, bond, user, refund, next);
    }

    public StateKey key() { return new StateKey.OfChallenge(id); }
    public int kind() { return 4; }

    public void encodeFields(Writer w) {
        w.hash(id).peer(challenger).peer(worker).hash(job).hash(evidenceHash).i64(bond).peer(user).i64(refund);
        w.u8(ballots.size());
        ballots.forEach(b -> w.peer(b.voter()).bool(b.guilty()));
    }

    static Challenge decode(Reader r) throws DecodeException {
        Hash32 id = r.hash("id");
        PeerId challenger = r.peer("challenger"), worker = r.peer("worker");
        Hash32 job = r.hash("job"), evidence = r.hash("evidence hash");
        long bond = r.amount("bond");
        PeerId user = r.peer("user");
        long refund = r.amount("refund");
        int n = r.u8("ballot count");
        List<Ballot> ballots = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ballots.add(new Ballot(r.peer("voter"), r.bool("guilty")));
        }
        return new Challenge(id, challenger, worker, job, evidence, bond, user, refund, ballots);
    }
}
