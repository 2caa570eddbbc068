package net.rhizome.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.state.Reputation;
import net.rhizome.ledger.tx.Ids;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.Operation.*;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.ledger.tx.Transaction;
import net.rhizome.ledger.tx.Voucher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StateMachineTest {
    static final Hash32 MODEL = Hash32.sha256("model-a".getBytes());
    final KeyPair alice = TestChain.user(0);
    final KeyPair bob = TestChain.user(1);
    final KeyPair carol = TestChain.user(2);
    final KeyPair dave = TestChain.user(3);
    final KeyPair erin = TestChain.user(4);
    final KeyPair stranger = KeyPair.deterministic("stranger");
    TestChain chain;

    @BeforeEach
    void setUp() {
        chain = new TestChain(5);
    }

    private void accepted(KeyPair k, Operation op) {
        assertThat(chain.run(k, op)).as("%s", op).isNull();
        assertThat(Invariants.violations(chain.state)).isEmpty();
    }

    private void rejected(KeyPair k, Operation op, RejectCode code) {
        Hash32 before = chain.state.stateRoot();
        Rejection r = chain.tryReject(k, op);
        assertThat(r).as("%s", op).isNotNull();
        assertThat(r.code()).as(r.message()).isEqualTo(code);
        assertThat(r.message()).isNotBlank();
        assertThat(chain.state.stateRoot()).isEqualTo(before);
    }

    @Test
    void transfersMoveExactAmountsAndRejectOverdraft() {
        accepted(alice, new Transfer(bob.peerId(), Asset.CREDITS, 300));
        assertThat(chain.account(alice).credits()).isEqualTo(999_700);
        assertThat(chain.account(bob).credits()).isEqualTo(1_000_300);
        rejected(alice, new Transfer(bob.peerId(), Asset.RHZ, 1_000_001), RejectCode.OVERDRAFT);
        rejected(stranger, new Transfer(bob.peerId(), Asset.RHZ, 1), RejectCode.UNKNOWN_ACCOUNT);
        rejected(alice, new Transfer(alice.peerId(), Asset.RHZ, 1), RejectCode.SELF_TARGET);
        accepted(alice, new Transfer(stranger.peerId(), Asset.RHZ, 5));
        assertThat(chain.account(stranger).rhz()).isEqualTo(5);
    }

    @Test
    void nonceMustBeExactlyLastPlusOne() {
        accepted(alice, new Stake(10));
        long last = chain.account(alice).nonce();
        SignedTransaction replay = new Transaction(alice.peerId(), last, new Stake(1)).sign(alice);
        SignedTransaction skip = new Transaction(alice.peerId(), last + 2, new Stake(1)).sign(alice);
        var built = chain.block(List.of(replay, skip));
        assertThat(built.rejected().get(0).code()).isEqualTo(RejectCode.REPLAYED_NONCE);
        assertThat(built.rejected().get(1).code()).isEqualTo(RejectCode.SKIPPED_NONCE);
        assertThat(chain.account(alice).nonce()).isEqualTo(last);
    }

    @Test
    void onlyTheIssuerMints() {
        accepted(TestChain.ISSUER, new Mint(alice.peerId(), 50));
        assertThat(chain.state.totals().creditsSupply()).isEqualTo(5_000_050);
        rejected(alice, new Mint(alice.peerId(), 50), RejectCode.NOT_ISSUER);
    }

    @Test
    void stakeUnbondWithdrawRespectsTheUnbondingPeriod() {
        accepted(alice, new Stake(5000));
        rejected(alice, new BeginUnbond(6000), RejectCode.INSUFFICIENT_STAKE);
        rejected(alice, new Withdraw(), RejectCode.NOTHING_TO_WITHDRAW);
        accepted(alice, new BeginUnbond(2000));
        Account a = chain.account(alice);
        assertThat(a.staked()).isEqualTo(3000);
        assertThat(a.unbonding()).isEqualTo(2000);
        assertThat(a.unbondingReleaseHeight()).isEqualTo(chain.head.height() + 5);
        rejected(alice, new Withdraw(), RejectCode.WITHDRAW_BEFORE_UNBONDING);
        chain.emptyBlocks(4);
        accepted(alice, new Withdraw());
        assertThat(chain.account(alice).rhz()).isEqualTo(1_000_000 - 3000);
        assertThat(chain.account(alice).unbonding()).isZero();
    }

    @Test
    void paymentChannelLifecycle() {
        long openNonce = chain.account(alice).nonce() + 1;
        rejected(alice, new OpenChannel(bob.peerId(), MODEL, 1000, 1), RejectCode.BAD_EXPIRY);
        accepted(alice, new OpenChannel(bob.peerId(), MODEL, 1000, 20));
        Hash32 id = Ids.channel(alice.peerId(), openNonce);
        assertThat(chain.state.channel(id)).isPresent();
        assertThat(chain.account(alice).credits()).isEqualTo(999_000);

        rejected(bob, new SettleChannel(Voucher.sign(alice, id, 1001, 1), false), RejectCode.VOUCHER_OVER_DEPOSIT);
        rejected(bob, new SettleChannel(Voucher.sign(carol, id, 100, 1), false), RejectCode.BAD_VOUCHER_SIGNATURE);
        rejected(carol, new SettleChannel(Voucher.sign(alice, id, 100, 1), false), RejectCode.NOT_PAYEE);
        accepted(bob, new SettleChannel(Voucher.sign(alice, id, 300, 2), false));
        assertThat(chain.account(bob).credits()).isEqualTo(1_000_300);
        rejected(bob, new SettleChannel(Voucher.sign(alice, id, 400, 2), false), RejectCode.STALE_VOUCHER);
        rejected(bob, new SettleChannel(Voucher.sign(alice, id, 200, 3), false), RejectCode.STALE_VOUCHER);
        rejected(alice, new RefundChannel(id), RejectCode.CHANNEL_NOT_EXPIRED);
        rejected(bob, new TopUpChannel(id, 10, 30), RejectCode.NOT_PAYER);
        accepted(alice, new TopUpChannel(id, 500, 30));
        accepted(bob, new SettleChannel(Voucher.sign(alice, id, 1200, 3), true));
        assertThat(chain.account(bob).credits()).isEqualTo(1_001_200);
        assertThat(chain.account(alice).credits()).isEqualTo(1_000_000 - 1200);
        Channel closed = chain.state.channel(id).orElseThrow();
        assertThat(closed.open()).isFalse();
        assertThat(closed.locked()).isZero();
        rejected(bob, new SettleChannel(Voucher.sign(alice, id, 1300, 4), false), RejectCode.CHANNEL_CLOSED);
        rejected(bob, new SettleChannel(Voucher.sign(alice, Hash32.ZERO, 1, 1), false), RejectCode.UNKNOWN_CHANNEL);
    }

    @Test
    void expiredChannelRefundsThePayerAndRejectsLateVouchers() {
        long nonce = chain.account(alice).nonce() + 1;
        accepted(alice, new OpenChannel(bob.peerId(), MODEL, 1000, chain.head.height() + 3));
        Hash32 id = Ids.channel(alice.peerId(), nonce);
        chain.emptyBlocks(3);
        rejected(bob, new SettleChannel(Voucher.sign(alice, id, 10, 1), false), RejectCode.EXPIRED_VOUCHER);
        rejected(bob, new RefundChannel(id), RejectCode.NOT_PAYER);
        accepted(alice, new RefundChannel(id));
        assertThat(chain.account(alice).credits()).isEqualTo(1_000_000);
    }

    @Test
    void escrowReleaseAndRefund() {
        long n = chain.account(alice).nonce() + 1;
        accepted(alice, new OpenEscrow(bob.peerId(), MODEL, 400, chain.head.height() + 3));
        Hash32 first = Ids.escrow(alice.peerId(), n);
        rejected(carol, new ReleaseEscrow(first), RejectCode.NOT_PAYER);
        accepted(alice, new ReleaseEscrow(first));
        assertThat(chain.account(bob).credits()).isEqualTo(1_000_400);
        rejected(alice, new ReleaseEscrow(first), RejectCode.UNKNOWN_ESCROW);

        long n2 = chain.account(alice).nonce() + 1;
        accepted(alice, new OpenEscrow(bob.peerId(), MODEL, 100, chain.head.height() + 3));
        Hash32 second = Ids.escrow(alice.peerId(), n2);
        rejected(alice, new RefundEscrow(second), RejectCode.ESCROW_NOT_EXPIRED);
        accepted(bob, new RefundEscrow(second));
        assertThat(chain.account(alice).credits()).isEqualTo(1_000_000 - 400);
    }

    @Test
    void auditsMoveReputationAndNeedARegisteredAuditor() {
        rejected(bob, new RegisterWorker(List.of(MODEL), 2), RejectCode.INSUFFICIENT_STAKE);
        accepted(bob, new Stake(10_000));
        accepted(bob, new RegisterWorker(List.of(MODEL), 2));
        rejected(carol, new RecordAudit(bob.peerId(), Hash32.ZERO, true), RejectCode.NOT_REGISTERED);
        accepted(carol, new Stake(1000));
        accepted(carol, new RegisterAuditor());
        accepted(carol, new RecordAudit(bob.peerId(), Hash32.ZERO, true));
        assertThat(chain.account(bob).reputation()).isEqualTo(Reputation.afterAudit(Reputation.INITIAL, true));
        accepted(carol, new RecordAudit(bob.peerId(), Hash32.ZERO, false));
        assertThat(chain.account(bob).reputation()).isEqualTo(Reputation.afterAudit(Reputation.afterAudit(Reputation.INITIAL, true), false));
        assertThat(chain.account(carol).audits()).isEqualTo(2);
    }

    @Test
    void upheldChallengeSlashesRewardsChallengerAndRefundsUser() {
        accepted(bob, new Stake(10_000));
        accepted(bob, new RegisterWorker(List.of(MODEL), 1));
        for (KeyPair k : List.of(carol, dave, erin)) {
            accepted(k, new Stake(1000));
            accepted(k, new RegisterAuditor());
        }
        rejected(alice, new OpenChallenge(bob.peerId(), Hash32.ZERO, new byte[] {1}, 99, alice.peerId(), 50), RejectCode.BOND_TOO_SMALL);
        long n = chain.account(alice).nonce() + 1;
        accepted(alice, new OpenChallenge(bob.peerId(), Hash32.ZERO, new byte[] {1, 2, 3}, 100, alice.peerId(), 50));
        Hash32 id = Ids.challenge(alice.peerId(), n);
        rejected(alice, new Vote(id, true), RejectCode.NOT_COMMITTEE_MEMBER);
        rejected(bob, new Vote(id, false), RejectCode.NOT_COMMITTEE_MEMBER);
        accepted(carol, new Vote(id, true));
        rejected(carol, new Vote(id, true), RejectCode.ALREADY_VOTED);
        rejected(alice, new Resolve(id), RejectCode.QUORUM_NOT_REACHED);
        accepted(dave, new Vote(id, true));
        accepted(erin, new Vote(id, false));
        long poolBefore = chain.state.totals().rewardPool();
        accepted(alice, new Resolve(id));
        // slash 50% of 10,000; challenger gets 20% of that plus the bond; the rest goes to the reward pool
        assertThat(chain.account(bob).staked()).isEqualTo(5000);
        assertThat(chain.account(bob).reputation()).isEqualTo(Reputation.afterSlash(Reputation.INITIAL));
        assertThat(chain.account(alice).rhz()).isEqualTo(1_000_000 + 1000);
        assertThat(chain.account(alice).credits()).isEqualTo(1_000_050);
        assertThat(chain.account(bob).credits()).isEqualTo(999_950);
        assertThat(chain.state.totals().rewardPool()).isEqualTo(poolBefore + 4000);
        rejected(alice, new Resolve(id), RejectCode.UNKNOWN_CHALLENGE);
    }

    @Test
    void settledWorkEarnsEpochRewards() {
        accepted(bob, new Stake(10_000));
        accepted(bob, new RegisterWorker(List.of(MODEL), 3));
        accepted(carol, new Stake(5_000));
        accepted(carol, new RegisterAuditor());
        long n = chain.account(alice).nonce() + 1;
        accepted(alice, new OpenChannel(bob.peerId(), MODEL, 1000, 50));
        Hash32 id = Ids.channel(alice.peerId(), n);
        accepted(bob, new SettleChannel(Voucher.sign(alice, id, 301, 1), false));
        assertThat(chain.state.all(net.rhizome.ledger.state.WorkTally.class))
                .containsExactly(new net.rhizome.ledger.state.WorkTally(bob.peerId(), MODEL, 100));
        accepted(carol, new RecordAudit(bob.peerId(), Hash32.ZERO, true));
        long bobRhz = chain.account(bob).rhz();
        long carolRhz = chain.account(carol).rhz();
        long pool = chain.state.totals().rewardPool();
        chain.emptyBlocks((int) (10 - chain.head.height() % 10));
        // emission 100,000: workers 70% to the only worker, auditors 20% to the only auditor, scanners' 10% stays
        assertThat(chain.account(bob).rhz() - bobRhz).isEqualTo(70_000);
        assertThat(chain.account(carol).rhz() - carolRhz).isEqualTo(20_000);
        assertThat(chain.state.totals().rewardPool()).isEqualTo(pool - 90_000);
        assertThat(chain.state.totals().epochsPaid()).isEqualTo(1);
        assertThat(chain.state.all(net.rhizome.ledger.state.WorkTally.class)).isEmpty();
        assertThat(chain.account(carol).audits()).isZero();
        assertThat(Invariants.violations(chain.state)).isEmpty();
    }

    @Test
    void dismissedChallengePaysTheBondToTheWorker() {
        accepted(bob, new Stake(10_000));
        accepted(bob, new RegisterWorker(List.of(MODEL), 1));
        for (KeyPair k : List.of(carol, dave, erin)) {
            accepted(k, new Stake(1000));
            accepted(k, new RegisterAuditor());
        }
        long n = chain.account(alice).nonce() + 1;
        accepted(alice, new OpenChallenge(bob.peerId(), Hash32.ZERO, new byte[0], 500, alice.peerId(), 0));
        Hash32 id = Ids.challenge(alice.peerId(), n);
        accepted(carol, new Vote(id, false));
        accepted(dave, new Vote(id, true));
        accepted(erin, new Vote(id, false));
        accepted(carol, new Resolve(id));
        assertThat(chain.account(bob).staked()).isEqualTo(10_000);
        assertThat(chain.account(bob).rhz()).isEqualTo(1_000_000 - 10_000 + 500);
        assertThat(chain.account(alice).rhz()).isEqualTo(1_000_000 - 500);
    }
}
