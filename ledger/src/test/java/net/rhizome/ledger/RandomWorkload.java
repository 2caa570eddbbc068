package net.rhizome.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.state.Challenge;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.state.Escrow;
import net.rhizome.ledger.state.LedgerState;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.Operation.*;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.ledger.tx.Transaction;
import net.rhizome.ledger.tx.Voucher;

/**
 * Random transaction sequences for property tests. A {@link Step} is random numbers; it is turned
 * into a transaction against the current state, so channel, escrow and challenge operations name
 * things that exist (or, with random amounts and nonces, fail in interesting ways).
 */
final class RandomWorkload {
    static final int USERS = 5;
    static final List<KeyPair> KEYS = new ArrayList<>();
    static final Hash32[] MODELS = {Hash32.sha256(new byte[] {1}), Hash32.sha256(new byte[] {2})};

    static {
        for (int i = 0; i < USERS; i++) {
            KEYS.add(TestChain.user(i));
        }
        KEYS.add(TestChain.ISSUER);
        KEYS.add(KeyPair.deterministic("ledger-stranger"));
    }

    /** One random action; {@code twist}: 0-7 normal, 8 replayed nonce, 9 skipped nonce, 10 bad signature. */
    record Step(int actor, int kind, int target, long amount, int twist, boolean endBlock) {}

    static Arbitrary<Step> steps() {
        Arbitrary<Long> amount = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(1, 3000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1, 2_000_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MAX_VALUE / 2)));
        Arbitrary<Integer> actor = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(25, Arbitraries.integers().between(0, USERS - 1)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(USERS)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(USERS + 1)));
        return Combinators.combine(actor, Arbitraries.integers().between(0, 23),
                Arbitraries.integers().between(0, KEYS.size() - 1), amount, Arbitraries.integers().between(0, 10),
                Arbitraries.integers().between(0, 3).map(i -> i == 0)).as(Step::new);
    }

    private final Map<PeerId, Long> nonces = new HashMap<>();

    /**
     * The first block of every run: users 0 and 1 stake and serve one model each, users 2-4 stake
     * and register as auditors and scanners (a full dispute committee).
     */
    static List<SignedTransaction> setup() {
        List<SignedTransaction> txs = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            KeyPair k = KEYS.get(i);
            txs.add(new Transaction(k.peerId(), 1, new Stake(i < 2 ? 10_000 : 2_000)).sign(k));
            if (i < 2) {
                txs.add(new Transaction(k.peerId(), 2, new RegisterWorker(List.of(MODELS[i]), 1 + i)).sign(k));
            } else {
                txs.add(new Transaction(k.peerId(), 2, new RegisterAuditor()).sign(k));
                txs.add(new Transaction(k.peerId(), 3, new RegisterScanner()).sign(k));
            }
        }
        return txs;
    }

    /** Call after each block: nonces come from state again. */
    void resync() {
        nonces.clear();
    }

    SignedTransaction toTransaction(Step s, LedgerState state, long height) {
        KeyPair key = KEYS.get(switch (s.kind()) {
            case 10 -> state.all(Channel.class).stream().filter(Channel::open).map(c -> KEYS.indexOf(byId(c.payee())))
                    .sorted().skip(s.target() % 3).findFirst().orElse(s.actor());
            case 16, 19, 21, 22, 23 -> 2 + s.actor() % 3;
            default -> s.actor();
        });
        PeerId me = key.peerId();
        PeerId worker = KEYS.get(s.target() % 2).peerId();
        PeerId other = KEYS.get(s.target()).peerId();
        long amt = s.amount();
        Operation op = switch (s.kind()) {
            case 0 -> new Transfer(other, Asset.CREDITS, amt);
            case 1 -> new Transfer(other, Asset.RHZ, amt);
            case 2 -> new Mint(other, amt);
            case 3, 4 -> new Stake(amt);
            case 5 -> new BeginUnbond(amt);
            case 6 -> new Withdraw();
            case 7 -> new RegisterWorker(List.of(MODELS[s.target() % 2]), 1 + amt % 7);
            case 8 -> s.target() % 2 == 0 ? new RegisterAuditor() : new RegisterScanner();
            case 9 -> new OpenChannel(s.amount() % 5 == 0 ? other : worker, MODELS[s.target() % 2], amt, height + 4 + 3L * s.target());
            case 10 -> {
                Channel ch = pick(state.all(Channel.class).stream().filter(c -> c.payee().equals(me)).toList(), s.target());
                if (ch == null) {
                    yield new RecordScan(MODELS[0], true);
                }
                KeyPair payer = byId(ch.payer());
                long cumulative = ch.claimed() + amt % (ch.deposit() + 2);
                yield new SettleChannel(Voucher.sign(payer, ch.id(), cumulative, Math.max(1, ch.lastVoucherNonce() + (s.twist() == 7 ? 0 : 1))), amt % 3 == 0);
            }
            case 11 -> {
                Channel ch = pick(state.all(Channel.class), s.target());
                yield ch == null ? new Withdraw() : new RefundChannel(ch.id());
            }
            case 12 -> {
                Channel ch = pick(state.all(Channel.class), s.target());
                yield ch == null ? new Withdraw() : new TopUpChannel(ch.id(), amt % 5000, ch.expiryHeight() + s.target());
            }
            case 13 -> new OpenEscrow(s.amount() % 5 == 0 ? other : worker, MODELS[s.target() % 2], amt, height + 4 + 3L * s.target());
            case 14, 15 -> {
                Escrow e = pick(state.all(Escrow.class), s.target());
                yield e == null ? new Withdraw() : s.kind() == 14 ? new ReleaseEscrow(e.id()) : new RefundEscrow(e.id());
            }
            case 16 -> new RecordAudit(worker, Hash32.sha256(new byte[] {(byte) amt}), amt % 4 != 0);
            case 17 -> new RecordScan(MODELS[s.target() % 2], true);
            case 18 -> new OpenChallenge(worker, Hash32.ZERO, new byte[(int) (amt % 64)], 100 + amt % 1000, KEYS.get(0).peerId(), amt % 500);
            case 19, 20, 21, 22, 23 -> {
                Challenge c = pick(state.all(Challenge.class), s.target());
                yield c == null ? new Withdraw() : s.kind() == 20 ? new Resolve(c.id()) : new Vote(c.id(), amt % 2 == 0);
            }
            default -> throw new IllegalStateException("kind " + s.kind());
        };
        long next = nonces.getOrDefault(me, state.account(me).map(Account::nonce).orElse(0L) + 1);
        long nonce = switch (s.twist()) {
            case 8 -> Math.max(1, next - 1);
            case 9 -> next + 1;
            default -> next;
        };
        if (s.twist() < 8) {
            nonces.put(me, next + 1);
        }
        SignedTransaction tx = new Transaction(me, nonce, op).sign(key);
        return s.twist() == 10 ? withBrokenSignature(tx) : tx;
    }

    static SignedTransaction withBrokenSignature(SignedTransaction tx) {
        byte[] bytes = tx.encode();
        bytes[bytes.length - 1] ^= 1;
        try {
            return SignedTransaction.decode(bytes);
        } catch (net.rhizome.ledger.codec.DecodeException e) {
            throw new IllegalStateException("flipping a signature bit cannot break decoding", e);
        }
    }

    private static KeyPair byId(PeerId id) {
        return KEYS.stream().filter(k -> k.peerId().equals(id)).findFirst().orElseThrow();
    }

    private static <T> T pick(List<T> items, int index) {
        return items.isEmpty() ? null : items.stream().sorted(java.util.Comparator.comparing(Object::toString)).toList().get(index % items.size());
    }
}
