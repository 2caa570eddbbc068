package net.rhizome.ledger.state;

import static net.rhizome.ledger.RejectCode.*;

import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Asset;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.RejectCode;
import net.rhizome.ledger.RejectedException;
import net.rhizome.ledger.tx.Ids;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.SignatureChecker;
import net.rhizome.ledger.tx.Operation.*;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.ledger.tx.Transaction;
import net.rhizome.ledger.tx.Voucher;

/**
 * Applies one transaction whose signature has been checked. All effects go to a
 * {@link StateChanges} overlay that is merged only when every check passed, so a rejection changes nothing.
 */
public final class StateMachine {
    private final GenesisConfig genesis;
    private final SignatureChecker vouchers = new SignatureChecker(4096);

    public StateMachine(GenesisConfig genesis) {
        this.genesis = genesis;
    }

    /** Applies {@code tx} in the block at {@code height}, or throws and leaves {@code state} untouched. */
    public void apply(LedgerState state, SignedTransaction tx, long height) throws RejectedException {
        StateChanges c = state.begin();
        Transaction t = tx.transaction();
        Account sender = c.account(t.sender()).orElseThrow(() -> reject(UNKNOWN_ACCOUNT,
                "sender " + t.sender().shortId() + " has no account (it has never received anything)"));
        long expected = sender.nonce() + 1;
        if (t.nonce() < expected) {
            throw reject(REPLAYED_NONCE, "nonce " + t.nonce() + " already used; next nonce is " + expected);
        }
        if (t.nonce() > expected) {
            throw reject(SKIPPED_NONCE, "nonce " + t.nonce() + " skips ahead; next nonce is " + expected);
        }
        c.put(sender.withNonce(t.nonce()));
        new Run(c, t, height).execute(t.operation());
        state.commit(c);
    }

    private static RejectedException reject(RejectCode code, String message) {
        return new RejectedException(code, message);
    }

    /** One transaction's execution against an overlay. */
    private final class Run {
        private final StateChanges c;
        private final Transaction t;
        private final PeerId me;
        private final long height;

        Run(StateChanges c, Transaction t, long height) {
            this.c = c;
            this.t = t;
            this.me = t.sender();
            this.height = height;
        }

        void execute(Operation op) throws RejectedException {
            switch (op) {
                case Transfer x -> transfer(x);
                case Mint x -> mint(x);
                case Stake x -> stake(x);
                case BeginUnbond x -> beginUnbond(x);
                case Withdraw x -> withdraw();
                case RegisterWorker x -> registerWorker(x);
                case RegisterAuditor x -> registerRole(Account.ROLE_AUDITOR, genesis.minStakes().auditor(), "auditor");
                case RegisterScanner x -> registerRole(Account.ROLE_SCANNER, genesis.minStakes().scanner(), "scanner");
                case OpenChannel x -> openChannel(x);
                case TopUpChannel x -> topUpChannel(x);
                case SettleChannel x -> settleChannel(x);
                case RefundChannel x -> refundChannel(x);
                case OpenEscrow x -> openEscrow(x);
                case ReleaseEscrow x -> releaseEscrow(x);
                case RefundEscrow x -> refundEscrow(x);
                case RecordAudit x -> recordAudit(x);
                case RecordScan x -> recordScan();
                case OpenChallenge x -> openChallenge(x);
                case Vote x -> vote(x);
                case Resolve x -> resolve(x);
            }
        }

        private Account self() {
            return c.account(me).orElseThrow();
        }

        private Account existing(PeerId id, String role) throws RejectedException {
            return c.account(id).orElseThrow(() -> reject(UNKNOWN_ACCOUNT, role + " " + id.shortId() + " has no account"));
        }

        private Account orEmpty(PeerId id) {
            return c.account(id).orElseGet(() -> Account.empty(id));
        }

        private void debit(PeerId id, Asset asset, long amount, String purpose) throws RejectedException {
            Account a = existing(id, "account");
            if (a.balance(asset) < amount) {
                throw reject(OVERDRAFT, purpose + " needs " + amount + " " + asset + " but " + id.shortId() + " has " + a.balance(asset));
            }
            c.put(a.withBalance(asset, a.balance(asset) - amount));
        }

        private void credit(PeerId id, Asset asset, long amount) throws RejectedException {
            Account a = orEmpty(id);
            c.put(a.withBalance(asset, add(a.balance(asset), amount)));
        }

        private void transfer(Transfer x) throws RejectedException {
            if (x.to().equals(me)) {
                throw reject(SELF_TARGET, "transfer to yourself");
            }
            debit(me, x.asset(), x.amount(), "transfer");
            credit(x.to(), x.asset(), x.amount());
        }

        private void mint(Mint x) throws RejectedException {
            if (!me.equals(genesis.creditIssuer())) {
                throw reject(NOT_ISSUER, me.shortId() + " is not the credit issuer " + genesis.creditIssuer().shortId());
            }
            Totals totals = c.totals();
            c.put(totals.withCreditsSupply(add(totals.creditsSupply(), x.amount())));
            credit(x.to(), Asset.CREDITS, x.amount());
        }

        private void stake(Stake x) throws RejectedException {
            debit(me, Asset.RHZ, x.amount(), "stake");
            Account a = self();
            c.put(a.withStake(add(a.staked(), x.amount()), a.unbonding(), a.unbondingReleaseHeight()));
        }

        private void beginUnbond(BeginUnbond x) throws RejectedException {
            Account a = self();
            if (a.staked() < x.amount()) {
                throw reject(INSUFFICIENT_STAKE, "unbond " + x.amount() + " RHZ but only " + a.staked() + " is staked");
            }
            long release = add(height, genesis.unbondingBlocks());
            c.put(a.withStake(a.staked() - x.amount(), add(a.unbonding(), x.amount()), release));
        }

        private void withdraw() throws RejectedException {
            Account a = self();
            if (a.unbonding() == 0) {
                throw reject(NOTHING_TO_WITHDRAW, "no unbonded RHZ to withdraw");
            }
            if (height < a.unbondingReleaseHeight()) {
                throw reject(WITHDRAW_BEFORE_UNBONDING, a.unbonding() + " RHZ unbonds at height "
                        + a.unbondingReleaseHeight() + ", now " + height);
            }
            c.put(a.withStake(a.staked(), 0, 0).withRhz(add(a.rhz(), a.unbonding())));
        }

        private void requireStake(Account a, long min, String role) throws RejectedException {
            if (a.staked() < min) {
                throw reject(INSUFFICIENT_STAKE, role + " needs at least " + min + " RHZ staked, " + a.id().shortId() + " has " + a.staked());
            }
        }

        private void registerWorker(RegisterWorker x) throws RejectedException {
            Account a = self();
            requireStake(a, genesis.minStakes().worker(), "a worker");
            c.put(a.withWorker(x.models(), x.pricePerToken()));
        }

        private void registerRole(int role, long min, String name) throws RejectedException {
            Account a = self();
            requireStake(a, min, "an " + name);
            c.put(a.withRole(role));
        }

        private void openChannel(OpenChannel x) throws RejectedException {
            if (x.payee().equals(me)) {
                throw reject(SELF_TARGET, "channel to yourself");
            }
            if (x.expiryHeight() <= height) {
                throw reject(BAD_EXPIRY, "channel expiry " + x.expiryHeight() + " is not after the current height " + height);
            }
            existing(x.payee(), "payee");
            debit(me, Asset.CREDITS, x.deposit(), "channel deposit");
            Hash32 id = Ids.channel(me, t.nonce());
            c.put(new Channel(id, me, x.payee(), x.model(), x.deposit(), 0, 0, x.expiryHeight(), true));
        }

        private Channel openChannelOf(Hash32 id) throws RejectedException {
            Channel ch = c.channel(id).orElseThrow(() -> reject(UNKNOWN_CHANNEL, "no channel " + id.shortHex()));
            if (!ch.open()) {
                throw reject(CHANNEL_CLOSED, "channel " + id.shortHex() + " is already closed");
            }
            return ch;
        }

        private void topUpChannel(TopUpChannel x) throws RejectedException {
            Channel ch = openChannelOf(x.channel());
            if (!ch.payer().equals(me)) {
                throw reject(NOT_PAYER, "only the payer " + ch.payer().shortId() + " tops up channel " + ch.id().shortHex());
            }
            if (x.expiryHeight() < ch.expiryHeight() || x.expiryHeight() <= height) {
                throw reject(BAD_EXPIRY, "new expiry " + x.expiryHeight() + " must be >= " + ch.expiryHeight()
                        + " and after the current height " + height);
            }
            debit(me, Asset.CREDITS, x.amount(), "channel top-up");
            c.put(new Channel(ch.id(), ch.payer(), ch.payee(), ch.model(), add(ch.deposit(), x.amount()), ch.claimed(),
                    ch.lastVoucherNonce(), x.expiryHeight(), true));
        }

        private void settleChannel(SettleChannel x) throws RejectedException {
            Voucher v = x.voucher();
            Channel ch = openChannelOf(v.channel());
            if (!ch.payee().equals(me)) {
                throw reject(NOT_PAYEE, "only the payee " + ch.payee().shortId() + " settles channel " + ch.id().shortHex());
            }
            if (height > ch.expiryHeight()) {
                throw reject(EXPIRED_VOUCHER, "channel " + ch.id().shortHex() + " expired at height " + ch.expiryHeight() + ", now " + height);
            }
            if (v.nonce() <= ch.lastVoucherNonce() || v.cumulativeAmount() < ch.claimed()) {
                throw reject(STALE_VOUCHER, "voucher nonce " + v.nonce() + " / amount " + v.cumulativeAmount()
                        + " is not newer than the settled nonce " + ch.lastVoucherNonce() + " / amount " + ch.claimed());
            }
            if (v.cumulativeAmount() > ch.deposit()) {
                throw reject(VOUCHER_OVER_DEPOSIT, "voucher for " + v.cumulativeAmount() + " credits exceeds the deposit " + ch.deposit());
            }
            if (!v.verify(ch.payer(), vouchers)) {
                throw reject(BAD_VOUCHER_SIGNATURE, "voucher is not signed by the payer " + ch.payer().shortId());
            }
            long delta = v.cumulativeAmount() - ch.claimed();
            credit(me, Asset.CREDITS, delta);
            countWork(me, ch.model(), ch.claimed(), v.cumulativeAmount());
            if (x.close()) {
                credit(ch.payer(), Asset.CREDITS, ch.deposit() - v.cumulativeAmount());
            }
            c.put(new Channel(ch.id(), ch.payer(), ch.payee(), ch.model(), ch.deposit(), v.cumulativeAmount(), v.nonce(),
                    ch.expiryHeight(), !x.close()));
        }

        private void refundChannel(RefundChannel x) throws RejectedException {
            Channel ch = openChannelOf(x.channel());
            if (!ch.payer().equals(me)) {
                throw reject(NOT_PAYER, "only the payer " + ch.payer().shortId() + " is refunded from channel " + ch.id().shortHex());
            }
            if (height <= ch.expiryHeight()) {
                throw reject(CHANNEL_NOT_EXPIRED, "channel " + ch.id().shortHex() + " expires at height " + ch.expiryHeight() + ", now " + height);
            }
            credit(me, Asset.CREDITS, ch.locked());
            c.put(new Channel(ch.id(), ch.payer(), ch.payee(), ch.model(), ch.deposit(), ch.claimed(), ch.lastVoucherNonce(),
                    ch.expiryHeight(), false));
        }

        /** Verified work: tokens paid for, from the cumulative amount before and after, at the worker's price. */
        private void countWork(PeerId worker, Hash32 model, long paidBefore, long paidAfter) throws RejectedException {
            Account w = self().id().equals(worker) ? self() : existing(worker, "worker");
            if (!w.hasRole(Account.ROLE_WORKER) || !w.models().contains(model)) {
                return;
            }
            long tokens = paidAfter / w.pricePerToken() - paidBefore / w.pricePerToken();
            if (tokens > 0) {
                long before = c.work(worker, model).map(WorkTally::tokens).orElse(0L);
                c.put(new WorkTally(worker, model, add(before, tokens)));
            }
        }

        private void openEscrow(OpenEscrow x) throws RejectedException {
            if (x.worker().equals(me)) {
                throw reject(SELF_TARGET, "escrow for yourself");
            }
            if (x.timeoutHeight() <= height) {
                throw reject(BAD_EXPIRY, "escrow timeout " + x.timeoutHeight() + " is not after the current height " + height);
            }
            existing(x.worker(), "worker");
            debit(me, Asset.CREDITS, x.amount(), "escrow");
            c.put(new Escrow(Ids.escrow(me, t.nonce()), me, x.worker(), x.model(), x.amount(), x.timeoutHeight()));
        }

        private Escrow escrowOf(Hash32 id) throws RejectedException {
            return c.escrow(id).orElseThrow(() -> reject(UNKNOWN_ESCROW, "no open escrow " + id.shortHex()));
        }

        private void releaseEscrow(ReleaseEscrow x) throws RejectedException {
            Escrow e = escrowOf(x.escrow());
            if (!e.payer().equals(me)) {
                throw reject(NOT_PAYER, "only the payer " + e.payer().shortId() + " releases escrow " + e.id().shortHex());
            }
            credit(e.worker(), Asset.CREDITS, e.amount());
            countWork(e.worker(), e.model(), 0, e.amount());
            c.remove(e.key());
        }

        private void refundEscrow(RefundEscrow x) throws RejectedException {
            Escrow e = escrowOf(x.escrow());
            boolean payerAfterTimeout = e.payer().equals(me) && height > e.timeoutHeight();
            if (!payerAfterTimeout && !e.worker().equals(me)) {
                throw e.payer().equals(me)
                        ? reject(ESCROW_NOT_EXPIRED, "escrow " + e.id().shortHex() + " times out at height " + e.timeoutHeight() + ", now " + height)
                        : reject(NOT_PAYER, me.shortId() + " is neither payer nor worker of escrow " + e.id().shortHex());
            }
            credit(e.payer(), Asset.CREDITS, e.amount());
            c.remove(e.key());
        }

        private Account activeRole(int role, long min, String name) throws RejectedException {
            Account a = self();
            if (!a.hasRole(role)) {
                throw reject(NOT_REGISTERED, me.shortId() + " is not a registered " + name);
            }
            requireStake(a, min, "an " + name);
            return a;
        }

        private void recordAudit(RecordAudit x) throws RejectedException {
            if (x.worker().equals(me)) {
                throw reject(SELF_TARGET, "an auditor cannot audit itself");
            }
            Account auditor = activeRole(Account.ROLE_AUDITOR, genesis.minStakes().auditor(), "auditor");
            Account worker = existing(x.worker(), "worker");
            if (!worker.hasRole(Account.ROLE_WORKER)) {
                throw reject(NOT_REGISTERED, x.worker().shortId() + " is not a registered worker");
            }
            c.put(auditor.withEpochCounts(add(auditor.audits(), 1), auditor.scans()));
            c.put(worker.withReputation(Reputation.afterAudit(worker.reputation(), x.passed())));
        }

        private void recordScan() throws RejectedException {
            Account scanner = activeRole(Account.ROLE_SCANNER, genesis.minStakes().scanner(), "scanner");
            c.put(scanner.withEpochCounts(scanner.audits(), add(scanner.scans(), 1)));
        }

        private void openChallenge(OpenChallenge x) throws RejectedException {
            if (x.worker().equals(me)) {
                throw reject(SELF_TARGET, "a worker cannot challenge itself");
            }
            Account worker = existing(x.worker(), "worker");
            if (!worker.hasRole(Account.ROLE_WORKER)) {
                throw reject(NOT_REGISTERED, x.worker().shortId() + " is not a registered worker");
            }
            if (x.bond() < genesis.disputes().minBond()) {
                throw reject(BOND_TOO_SMALL, "bond " + x.bond() + " RHZ is below the minimum " + genesis.disputes().minBond());
            }
            debit(me, Asset.RHZ, x.bond(), "challenge bond");
            c.put(new Challenge(Ids.challenge(me, t.nonce()), me, x.worker(), x.job(), Hash32.sha256(x.evidence()), x.bond(),
                    x.user(), x.refund(), java.util.List.of()));
        }

        private Challenge challengeOf(Hash32 id) throws RejectedException {
            return c.challenge(id).orElseThrow(() -> reject(UNKNOWN_CHALLENGE, "no open challenge " + id.shortHex()));
        }

        /** The committee: registered auditors with the auditor minimum staked, other than the two parties. */
        private void vote(Vote x) throws RejectedException {
            Challenge ch = challengeOf(x.challenge());
            Account voter = self();
            if (!voter.hasRole(Account.ROLE_AUDITOR) || voter.staked() < genesis.minStakes().auditor()
                    || me.equals(ch.challenger()) || me.equals(ch.worker())) {
                throw reject(NOT_COMMITTEE_MEMBER, me.shortId() + " is not on the committee for challenge " + ch.id().shortHex());
            }
            if (ch.hasVoted(me)) {
                throw reject(ALREADY_VOTED, me.shortId() + " already voted on challenge " + ch.id().shortHex());
            }
            if (ch.ballots().size() >= genesis.disputes().quorum()) {
                throw reject(VOTING_CLOSED, "challenge " + ch.id().shortHex() + " already has its " + genesis.disputes().quorum() + " votes");
            }
            c.put(ch.withBallot(new Challenge.Ballot(me, x.guilty())));
        }

        private void resolve(Resolve x) throws RejectedException {
            Challenge ch = challengeOf(x.challenge());
            int quorum = genesis.disputes().quorum();
            if (ch.ballots().size() < quorum) {
                throw reject(QUORUM_NOT_REACHED, "challenge " + ch.id().shortHex() + " has " + ch.ballots().size() + " of " + quorum + " votes");
            }
            c.remove(ch.key());
            if (ch.guiltyVotes() * 2 > quorum) {
                upheld(ch);
            } else {
                credit(ch.worker(), Asset.RHZ, ch.bond());
            }
        }

        /** Slash the worker (stake first, then unbonding), reward the challenger, refund the user, forfeit the epoch's work. */
        private void upheld(Challenge ch) throws RejectedException {
            Account w = existing(ch.worker(), "worker");
            long total = add(w.staked(), w.unbonding());
            long slash = mulDiv(total, genesis.disputes().slashPerMille(), 1000);
            long fromStake = Math.min(slash, w.staked());
            long refund = Math.min(ch.refund(), w.credits());
            w = w.withStake(w.staked() - fromStake, w.unbonding() - (slash - fromStake), w.unbondingReleaseHeight())
                    .withCredits(w.credits() - refund)
                    .withReputation(Reputation.afterSlash(w.reputation()));
            c.put(w);
            for (Hash32 model : w.models()) {
                if (c.work(w.id(), model).isPresent()) {
                    c.remove(new StateKey.OfWork(w.id(), model));
                }
            }
            long reward = mulDiv(slash, genesis.disputes().challengerRewardPerMille(), 1000);
            credit(ch.challenger(), Asset.RHZ, add(ch.bond(), reward));
            Totals totals = c.totals();
            c.put(totals.withRewardPool(add(totals.rewardPool(), slash - reward)));
            if (refund > 0) {
                credit(ch.user(), Asset.CREDITS, refund);
            }
        }
    }

    static long add(long a, long b) throws RejectedException {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new RejectedException(AMOUNT_OVERFLOW, a + " + " + b + " overflows 64 bits");
        }
    }

    /** {@code a * num / den}, rounded down, exact for any non-negative long a and num <= den. */
    static long mulDiv(long a, long num, long den) {
        return Math.multiplyHigh(a, num) == 0 && a * num >= 0
                ? a * num / den
                : java.math.BigInteger.valueOf(a).multiply(java.math.BigInteger.valueOf(num))
                        .divide(java.math.BigInteger.valueOf(den)).longValueExact();
    }
}
