package net.rhizome.ledger.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Asset;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.codec.Reader;
import net.rhizome.ledger.codec.Writer;
import net.rhizome.ledger.tx.Operation;

/**
 * One account. {@code nonce} is the last accepted transaction nonce (0 before the first).
 * Unbonding RHZ can be withdrawn at {@code unbondingReleaseHeight}; a new unbond restarts that clock.
 * Worker fields ({@code models}, {@code pricePerToken}) are empty/0 unless the account registered
 * as a worker; {@code audits}/{@code scans} count work in the current epoch.
 */
public record Account(PeerId id, long nonce, long credits, long rhz, long staked, long unbonding,
                      long unbondingReleaseHeight, int roles, List<Hash32> models, long pricePerToken,
                      int reputation, long audits, long scans) implements StateEntry {
    public static final int ROLE_WORKER = 1;
    public static final int ROLE_AUDITOR = 2;
    public static final int ROLE_SCANNER = 4;

    public Account {
        Objects.requireNonNull(id, "id");
        models = List.copyOf(models);
        if (nonce < 0 || credits < 0 || rhz < 0 || staked < 0 || unbonding < 0 || unbondingReleaseHeight < 0
                || pricePerToken < 0 || audits < 0 || scans < 0) {
            throw new IllegalArgumentException("account " + id.shortId() + " has a negative amount");
        }
        if (reputation < 0 || reputation > Reputation.MAX) {
            throw new IllegalArgumentException("reputation out of range: " + reputation);
        }
        if ((roles & ~7) != 0) {
            throw new IllegalArgumentException("unknown role bits " + roles);
        }
        if (models.size() > Operation.MAX_MODELS) {
            throw new IllegalArgumentException("too many models: " + models.size());
        }
    }

    public static Account empty(PeerId id) {
        return new Account(id, 0, 0, 0, 0, 0, 0, 0, List.of(), 0, Reputation.INITIAL, 0, 0);
    }

    public long balance(Asset asset) {
        return asset == Asset.CREDITS ? credits : rhz;
    }

    public boolean hasRole(int role) {
        return (roles & role) != 0;
    }

    public Account withNonce(long v) { return new Account(id, v, credits, rhz, staked, unbonding, unbondingReleaseHeight, roles, models, pricePerToken, reputation, audits, scans); }
    public Account withBalance(Asset asset, long v) { return asset == Asset.CREDITS ? withCredits(v) : withRhz(v); }
    public Account withCredits(long v) { return new Account(id, nonce, v, rhz, staked, unbonding, unbondingReleaseHeight, roles, models, pricePerToken, reputation, audits, scans); }
    public Account withRhz(long v) { return new Account(id, nonce, credits, v, staked, unbonding, unbondingReleaseHeight, roles, models, pricePerToken, reputation, audits, scans); }
    public Account withStake(long staked, long unbonding, long releaseHeight) { return new Account(id, nonce, credits, rhz, staked, unbonding, releaseHeight, roles, models, pricePerToken, reputation, audits, scans); }
    public Account withWorker(List<Hash32> m, long price) { return new Account(id, nonce, credits, rhz, staked, unbonding, unbondingReleaseHeight, roles | ROLE_WORKER, m, price, reputation, audits, scans); }
    public Account withRole(int role) { return new Account(id, nonce, credits, rhz, staked, unbonding, unbondingReleaseHeight, roles | role, models, pricePerToken, reputation, audits, scans); }
    public Account withReputation(int v) { return new Account(id, nonce, credits, rhz, staked, unbonding, unbondingReleaseHeight, roles, models, pricePerToken, v, audits, scans); }
    public Account withEpochCounts(long a, long s) { return new Account(id, nonce, credits, rhz, staked, unbonding, unbondingReleaseHeight, roles, models, pricePerToken, reputation, a, s); }

    public StateKey key() { return new StateKey.OfAccount(id); }
    public int kind() { return 1; }

    public void encodeFields(Writer w) {
        w.peer(id).i64(nonce).i64(credits).i64(rhz).i64(staked).i64(unbonding).i64(unbondingReleaseHeight).u8(roles);
        w.u8(models.size());
        models.forEach(w::hash);
        w.i64(pricePerToken).u16(reputation).i64(audits).i64(scans);
    }

    static Account decode(Reader r) throws DecodeException {
        PeerId id = r.peer("id");
        long nonce = r.amount("nonce"), credits = r.amount("credits"), rhz = r.amount("rhz"), staked = r.amount("staked");
        long unbonding = r.amount("unbonding"), release = r.amount("release height");
        int roles = r.u8("roles");
        int n = r.u8("model count");
        if (n > Operation.MAX_MODELS) {
            throw new DecodeException("account: " + n + " models, limit " + Operation.MAX_MODELS);
        }
        List<Hash32> models = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            models.add(r.hash("model"));
        }
        return new Account(id, nonce, credits, rhz, staked, unbonding, release, roles, models, r.amount("price"),
                r.u16("reputation"), r.amount("audits"), r.amount("scans"));
    }
}
