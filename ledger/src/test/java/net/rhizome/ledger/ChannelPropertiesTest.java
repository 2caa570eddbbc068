package net.rhizome.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.tx.Ids;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.Voucher;

/**
 * Payment channels under random voucher streams: whatever the payee submits (stale, replayed,
 * oversized, out of order), it ends up with exactly the largest valid cumulative amount it
 * settled, the payer gets the rest of the deposit back, and credits are conserved.
 */
class ChannelPropertiesTest {
    static final Hash32 MODEL = Hash32.sha256(new byte[] {42});

    record Settle(long amount, long nonce, boolean close) {}

    @Provide
    Arbitrary<List<Settle>> settlements() {
        return Combinators.combine(Arbitraries.longs().between(0, 1200), Arbitraries.longs().between(1, 12),
                Arbitraries.integers().between(0, 9).map(i -> i == 0)).as(Settle::new).list().ofMaxSize(25);
    }

    @Property(tries = 150)
    void payeeGetsTheNewestValidVoucherAndPayerTheRest(@ForAll("settlements") List<Settle> settlements,
                                                       @ForAll boolean refundAfterExpiry) {
        TestChain chain = new TestChain(2);
        KeyPair payer = TestChain.user(0);
        KeyPair payee = TestChain.user(1);
        long deposit = 1000;
        long openNonce = chain.account(payer).nonce() + 1;
        assertThat(chain.run(payer, new Operation.OpenChannel(payee.peerId(), MODEL, deposit, 40))).isNull();
        Hash32 id = Ids.channel(payer.peerId(), openNonce);

        long claimed = 0;
        long lastNonce = 0;
        boolean open = true;
        for (Settle s : settlements) {
            Rejection r = chain.run(payee, new Operation.SettleChannel(Voucher.sign(payer, id, s.amount(), s.nonce()), s.close()));
            boolean valid = open && s.nonce() > lastNonce && s.amount() >= claimed && s.amount() <= deposit;
            assertThat(r == null).as("%s -> %s", s, r).isEqualTo(valid);
            if (valid) {
                claimed = s.amount();
                lastNonce = s.nonce();
                open = !s.close();
            }
            assertThat(Invariants.violations(chain.state)).isEmpty();
        }
        if (open && refundAfterExpiry) {
            chain.emptyBlocks(40);
            assertThat(chain.run(payer, new Operation.RefundChannel(id))).isNull();
            open = false;
        }
        Channel ch = chain.state.channel(id).orElseThrow();
        assertThat(ch.claimed()).isEqualTo(claimed);
        assertThat(ch.open()).isEqualTo(open);
        assertThat(chain.account(payee).credits()).isEqualTo(1_000_000 + claimed);
        long stillLocked = open ? deposit - claimed : 0;
        assertThat(chain.account(payer).credits()).isEqualTo(1_000_000 - claimed - stillLocked);
        assertThat(Invariants.violations(chain.state)).isEmpty();
    }
}
