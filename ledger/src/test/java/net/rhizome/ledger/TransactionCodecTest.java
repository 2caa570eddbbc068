package net.rhizome.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.Operation.*;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.ledger.tx.Transaction;
import net.rhizome.ledger.tx.Voucher;
import org.junit.jupiter.api.Test;

class TransactionCodecTest {
    static final KeyPair KEY = KeyPair.deterministic("codec");

    @Provide
    static Arbitrary<Operation> operations() {
        Arbitrary<PeerId> peer = Arbitraries.integers().between(0, 5).map(i -> KeyPair.deterministic("p" + i).peerId());
        Arbitrary<Hash32> hash = Arbitraries.bytes().array(byte[].class).ofSize(32).map(Hash32::of);
        Arbitrary<Long> amount = Arbitraries.longs().between(1, Long.MAX_VALUE);
        Arbitrary<Long> any = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<Voucher> voucher = Combinators.combine(hash, any, amount)
                .as((h, a, n) -> Voucher.sign(KEY, h, a, n));
        return Arbitraries.oneOf(List.of(
                Combinators.combine(peer, Arbitraries.of(Asset.class), amount).as(Transfer::new),
                Combinators.combine(peer, amount).as(Mint::new),
                amount.map(Stake::new),
                amount.map(BeginUnbond::new),
                Arbitraries.just(new Withdraw()),
                Combinators.combine(hash.list().ofMinSize(1).ofMaxSize(Operation.MAX_MODELS).uniqueElements(), amount).as(RegisterWorker::new),
                Arbitraries.just(new RegisterAuditor()),
                Arbitraries.just(new RegisterScanner()),
                Combinators.combine(peer, hash, amount, amount).as(OpenChannel::new),
                Combinators.combine(hash, any, amount).as(TopUpChannel::new),
                Combinators.combine(voucher, Arbitraries.of(true, false)).as(SettleChannel::new),
                hash.map(RefundChannel::new),
                Combinators.combine(peer, hash, amount, amount).as(OpenEscrow::new),
                hash.map(ReleaseEscrow::new),
                hash.map(RefundEscrow::new),
                Combinators.combine(peer, hash, Arbitraries.of(true, false)).as(RecordAudit::new),
                Combinators.combine(hash, Arbitraries.of(true, false)).as(RecordScan::new),
                Combinators.combine(peer, hash, Arbitraries.bytes().array(byte[].class).ofMaxSize(Operation.MAX_EVIDENCE_BYTES), amount, peer, any)
                        .as(OpenChallenge::new),
                Combinators.combine(hash, Arbitraries.of(true, false)).as(Vote::new),
                hash.map(Resolve::new)));
    }

    @Property(tries = 300)
    void everyOperationRoundTripsAndVerifies(@ForAll("operations") Operation op, @ForAll("nonces") long nonce) throws DecodeException {
        SignedTransaction tx = new Transaction(KEY.peerId(), nonce, op).sign(KEY);
        SignedTransaction back = SignedTransaction.decode(tx.encode());
        assertThat(back).isEqualTo(tx);
        assertThat(back.transaction()).isEqualTo(tx.transaction());
        assertThat(back.id()).isEqualTo(tx.id());
        assertThat(back.verifySignature()).isTrue();
    }

    @Provide
    static Arbitrary<Long> nonces() {
        return Arbitraries.longs().between(1, Long.MAX_VALUE);
    }

    @Property(tries = 200)
    void anyFlippedBitBreaksDecodingOrTheSignature(@ForAll("operations") Operation op, @ForAll long seed) {
        byte[] bytes = new Transaction(KEY.peerId(), 7, op).sign(KEY).encode();
        int bit = (int) Math.floorMod(seed, (long) bytes.length * 8);
        bytes[bit / 8] ^= (byte) (1 << (bit % 8));
        try {
            assertThat(SignedTransaction.decode(bytes).verifySignature()).isFalse();
        } catch (DecodeException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Test
    void truncatedTrailingAndOversizedInputAreNamed() {
        byte[] good = new Transaction(KEY.peerId(), 1, new Stake(5)).sign(KEY).encode();
        assertThatThrownBy(() -> SignedTransaction.decode(Arrays.copyOf(good, 20))).isInstanceOf(DecodeException.class).hasMessageContaining("too short");
        byte[] trailing = new byte[good.length + 1];
        System.arraycopy(good, 0, trailing, 0, good.length - 64);
        System.arraycopy(good, good.length - 64, trailing, good.length - 63, 64);
        assertThatThrownBy(() -> SignedTransaction.decode(trailing)).isInstanceOf(DecodeException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> SignedTransaction.decode(new byte[SignedTransaction.MAX_ENCODED_BYTES + 1]))
                .isInstanceOf(DecodeException.class).hasMessageContaining("limit");
        byte[] badVersion = good.clone();
        badVersion[0] = 9;
        assertThatThrownBy(() -> SignedTransaction.decode(badVersion)).hasMessageContaining("unsupported version 9");
        byte[] badTag = good.clone();
        badTag[41] = (byte) 200;
        assertThatThrownBy(() -> SignedTransaction.decode(badTag)).hasMessageContaining("unknown operation tag 200");
    }

    @Test
    void negativeAmountsAreRejectedOnDecode() {
        byte[] bytes = new Transaction(KEY.peerId(), 1, new Stake(5)).sign(KEY).encode();
        bytes[42] = (byte) 0x80;
        assertThatThrownBy(() -> SignedTransaction.decode(bytes)).isInstanceOf(DecodeException.class).hasMessageContaining("must be positive");
    }

    @Test
    void voucherEncodingIsFixedAndSignedByThePayer() throws DecodeException {
        Hash32 channel = Hash32.sha256(new byte[] {1});
        Voucher v = Voucher.sign(KEY, channel, 1234, 3);
        byte[] enc = v.encode();
        assertThat(enc).hasSize(Voucher.ENCODED_LENGTH);
        Voucher back = Voucher.decode(enc);
        assertThat(back).isEqualTo(v);
        assertThat(back.verify(KEY.peerId())).isTrue();
        assertThat(back.verify(KeyPair.deterministic("other").peerId())).isFalse();
        assertThat(new Voucher(channel, 1235, 3, v.signature()).verify(KEY.peerId())).isFalse();
        assertThatThrownBy(() -> Voucher.decode(Arrays.copyOf(enc, 100))).hasMessageContaining("must be 113 bytes");
    }
}
