package net.rhizome.ledger.tx;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Asset;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.codec.Reader;
import net.rhizome.ledger.codec.Writer;

/**
 * The body of a transaction. Each variant has a one-byte tag in the canonical encoding; tags are
 * part of the wire format and never reused. Amounts are base units and never negative.
 */
public sealed interface Operation {
    int MAX_MODELS = 64;
    int MAX_EVIDENCE_BYTES = 2048;

    int tag();

    void encodeFields(Writer w);

    /** Moves an asset from the sender's balance to another account. */
    record Transfer(PeerId to, Asset asset, long amount) implements Operation {
        public Transfer {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(asset, "asset");
            positive(amount, "transfer amount");
        }
        public int tag() { return 1; }
        public void encodeFields(Writer w) { w.peer(to).u8(asset.code()).i64(amount); }
    }

    /** Creates credits; only the genesis issuer may send it. */
    record Mint(PeerId to, long amount) implements Operation {
        public Mint {
            Objects.requireNonNull(to, "to");
            positive(amount, "mint amount");
        }
        public int tag() { return 2; }
        public void encodeFields(Writer w) { w.peer(to).i64(amount); }
    }

    /** Locks RHZ from the sender's balance as stake. */
    record Stake(long amount) implements Operation {
        public Stake { positive(amount, "stake amount"); }
        public int tag() { return 3; }
        public void encodeFields(Writer w) { w.i64(amount); }
    }

    /** Moves stake into unbonding; it can be withdrawn once the unbonding period has passed. */
    record BeginUnbond(long amount) implements Operation {
        public BeginUnbond { positive(amount, "unbond amount"); }
        public int tag() { return 4; }
        public void encodeFields(Writer w) { w.i64(amount); }
    }

    /** Returns all unbonded RHZ whose unbonding period is over to the balance. */
    record Withdraw() implements Operation {
        public int tag() { return 5; }
        public void encodeFields(Writer w) {}
    }

    /** Registers (or updates) the sender as a worker serving the given models at a price in credits per token. */
    record RegisterWorker(List<Hash32> models, long pricePerToken) implements Operation {
        public RegisterWorker {
            models = List.copyOf(models);
            if (models.isEmpty() || models.size() > MAX_MODELS) {
                throw new IllegalArgumentException("a worker serves 1.." + MAX_MODELS + " models, got " + models.size());
            }
            if (models.stream().distinct().count() != models.size()) {
                throw new IllegalArgumentException("worker model list has duplicates");
            }
            positive(pricePerToken, "price per token");
        }
        public int tag() { return 6; }
        public void encodeFields(Writer w) {
            w.u8(models.size());
            models.forEach(w::hash);
            w.i64(pricePerToken);
        }
    }

    record RegisterAuditor() implements Operation {
        public int tag() { return 7; }
        public void encodeFields(Writer w) {}
    }

    record RegisterScanner() implements Operation {
        public int tag() { return 8; }
        public void encodeFields(Writer w) {}
    }

    /** Locks a credit deposit for a payee until {@code expiryHeight}; the channel id is derived from sender and nonce. */
    record OpenChannel(PeerId payee, Hash32 model, long deposit, long expiryHeight) implements Operation {
        public OpenChannel {
            Objects.requireNonNull(payee, "payee");
            Objects.requireNonNull(model, "model");
            positive(deposit, "channel deposit");
            positive(expiryHeight, "channel expiry height");
        }
        public int tag() { return 9; }
        public void encodeFields(Writer w) { w.peer(payee).hash(model).i64(deposit).i64(expiryHeight); }
    }

    /** Adds to a channel's deposit and optionally moves its expiry later (never earlier). */
    record TopUpChannel(Hash32 channel, long amount, long expiryHeight) implements Operation {
        public TopUpChannel {
            Objects.requireNonNull(channel, "channel");
            nonNegative(amount, "top-up amount");
            positive(expiryHeight, "channel expiry height");
        }
        public int tag() { return 10; }
        public void encodeFields(Writer w) { w.hash(channel).i64(amount).i64(expiryHeight); }
    }

    /** The payee claims a voucher: pays the difference to what was already claimed; {@code close} refunds the rest. */
    record SettleChannel(Voucher voucher, boolean close) implements Operation {
        public SettleChannel { Objects.requireNonNull(voucher, "voucher"); }
        public int tag() { return 11; }
        public void encodeFields(Writer w) { w.raw(voucher.encode()).bool(close); }
    }

    /** The payer takes back the unclaimed deposit after expiry. */
    record RefundChannel(Hash32 channel) implements Operation {
        public RefundChannel { Objects.requireNonNull(channel, "channel"); }
        public int tag() { return 12; }
        public void encodeFields(Writer w) { w.hash(channel); }
    }

    /** Locks credits for a one-off job by a worker; refundable by the payer after {@code timeoutHeight}. */
    record OpenEscrow(PeerId worker, Hash32 model, long amount, long timeoutHeight) implements Operation {
        public OpenEscrow {
            Objects.requireNonNull(worker, "worker");
            Objects.requireNonNull(model, "model");
            positive(amount, "escrow amount");
            positive(timeoutHeight, "escrow timeout height");
        }
        public int tag() { return 13; }
        public void encodeFields(Writer w) { w.peer(worker).hash(model).i64(amount).i64(timeoutHeight); }
    }

    /** The payer releases the escrow to the worker. */
    record ReleaseEscrow(Hash32 escrow) implements Operation {
        public ReleaseEscrow { Objects.requireNonNull(escrow, "escrow"); }
        public int tag() { return 14; }
        public void encodeFields(Writer w) { w.hash(escrow); }
    }

    /** Back to the payer: by the payer after the timeout, or by the worker at any time (declining the job). */
    record RefundEscrow(Hash32 escrow) implements Operation {
        public RefundEscrow { Objects.requireNonNull(escrow, "escrow"); }
        public int tag() { return 15; }
        public void encodeFields(Writer w) { w.hash(escrow); }
    }

    /** A registered auditor's verdict on one job of a worker. */
    record RecordAudit(PeerId worker, Hash32 job, boolean passed) implements Operation {
        public RecordAudit {
            Objects.requireNonNull(worker, "worker");
            Objects.requireNonNull(job, "job");
        }
        public int tag() { return 16; }
        public void encodeFields(Writer w) { w.peer(worker).hash(job).bool(passed); }
    }

    /** A registered scanner's verdict on a model file. */
    record RecordScan(Hash32 model, boolean clean) implements Operation {
        public RecordScan { Objects.requireNonNull(model, "model"); }
        public int tag() { return 17; }
        public void encodeFields(Writer w) { w.hash(model).bool(clean); }
    }

    /**
     * Accuses a worker of a wrong result for a job, locking an RHZ bond. If upheld, {@code user} gets
     * up to {@code refund} credits back from the worker.
     */
    record OpenChallenge(PeerId worker, Hash32 job, byte[] evidence, long bond, PeerId user, long refund)
            implements Operation {
        public OpenChallenge {
            Objects.requireNonNull(worker, "worker");
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(user, "user");
            evidence = evidence.clone();
            if (evidence.length > MAX_EVIDENCE_BYTES) {
                throw new IllegalArgumentException("evidence is " + evidence.length + " bytes, limit " + MAX_EVIDENCE_BYTES);
            }
            positive(bond, "challenge bond");
            nonNegative(refund, "challenge refund");
        }
        @Override public byte[] evidence() { return evidence.clone(); }
        public int tag() { return 18; }
        public void encodeFields(Writer w) { w.peer(worker).hash(job).bytes(evidence).i64(bond).peer(user).i64(refund); }
        @Override public boolean equals(Object o) {
            return o instanceof OpenChallenge c && worker.equals(c.worker) && job.equals(c.job)
                    && java.util.Arrays.equals(evidence, c.evidence) && bond == c.bond && user.equals(c.user) && refund == c.refund;
        }
        @Override public int hashCode() { return Objects.hash(worker, job, java.util.Arrays.hashCode(evidence), bond, user, refund); }
        @Override public String toString() {
            return "OpenChallenge[worker=" + worker.shortId() + ", job=" + job.shortHex() + ", evidence=" + evidence.length
                    + " bytes, bond=" + bond + ", user=" + user.shortId() + ", refund=" + refund + "]";
        }
    }

    /** A committee member's vote on an open challenge. */
    record Vote(Hash32 challenge, boolean guilty) implements Operation {
        public Vote { Objects.requireNonNull(challenge, "challenge"); }
        public int tag() { return 19; }
        public void encodeFields(Writer w) { w.hash(challenge).bool(guilty); }
    }

    /** Settles a challenge once the quorum has voted; anyone may send it. */
    record Resolve(Hash32 challenge) implements Operation {
        public Resolve { Objects.requireNonNull(challenge, "challenge"); }
        public int tag() { return 20; }
        public void encodeFields(Writer w) { w.hash(challenge); }
    }

    static Operation decode(int tag, Reader r) throws DecodeException {
        try {
            return switch (tag) {
                case 1 -> new Transfer(r.peer("to"), asset(r), r.i64("amount"));
                case 2 -> new Mint(r.peer("to"), r.i64("amount"));
                case 3 -> new Stake(r.i64("amount"));
                case 4 -> new BeginUnbond(r.i64("amount"));
                case 5 -> new Withdraw();
                case 6 -> {
                    int n = r.u8("model count");
                    if (n > MAX_MODELS) {
                        throw new DecodeException("transaction: worker registers " + n + " models, limit " + MAX_MODELS);
                    }
                    List<Hash32> models = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        models.add(r.hash("model " + i));
                    }
                    yield new RegisterWorker(models, r.i64("price per token"));
                }
                case 7 -> new RegisterAuditor();
                case 8 -> new RegisterScanner();
                case 9 -> new OpenChannel(r.peer("payee"), r.hash("model"), r.i64("deposit"), r.i64("expiry height"));
                case 10 -> new TopUpChannel(r.hash("channel"), r.i64("amount"), r.i64("expiry height"));
                case 11 -> new SettleChannel(Voucher.decode(r.raw(Voucher.ENCODED_LENGTH, "voucher")), r.bool("close"));
                case 12 -> new RefundChannel(r.hash("channel"));
                case 13 -> new OpenEscrow(r.peer("worker"), r.hash("model"), r.i64("amount"), r.i64("timeout height"));
                case 14 -> new ReleaseEscrow(r.hash("escrow"));
                case 15 -> new RefundEscrow(r.hash("escrow"));
                case 16 -> new RecordAudit(r.peer("worker"), r.hash("job"), r.bool("passed"));
                case 17 -> new RecordScan(r.hash("model"), r.bool("clean"));
                case 18 -> new OpenChallenge(r.peer("worker"), r.hash("job"), r.bytes(MAX_EVIDENCE_BYTES, "evidence"),
                        r.i64("bond"), r.peer("user"), r.i64("refund"));
                case 19 -> new Vote(r.hash("challenge"), r.bool("guilty"));
                case 20 -> new Resolve(r.hash("challenge"));
                default -> throw new DecodeException("transaction: unknown operation tag " + tag);
            };
        } catch (IllegalArgumentException e) {
            throw new DecodeException("transaction: " + e.getMessage());
        }
    }

    private static Asset asset(Reader r) throws DecodeException {
        int code = r.u8("asset");
        try {
            return Asset.ofCode(code);
        } catch (IllegalArgumentException e) {
            throw new DecodeException("transaction: " + e.getMessage());
        }
    }

    private static void positive(long v, String what) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
    }

    private static void nonNegative(long v, String what) {
        if (v < 0) {
            throw new IllegalArgumentException(what + " must not be negative, got " + v);
        }
    }
}
