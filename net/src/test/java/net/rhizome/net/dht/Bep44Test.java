package net.rhizome.net.dht;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import net.rhizome.core.bencode.BValue;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.util.Hex;
import org.junit.jupiter.api.Test;

/** BEP 44 rules: signed buffer, targets, signature, size, seq and CAS checks, expiry. */
class Bep44Test {
    private static final byte[] NO_SALT = new byte[0];
    private final MutableClock clock = new MutableClock();
    private final ItemStore store = new ItemStore(clock, Duration.ofHours(2), 100);
    private final KeyPair key = KeyPair.deterministic("bep44");

    @Test
    void bep44TestVectorsVerify() {
        byte[] pk = Hex.decode("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548");
        BValue v = BValue.string("Hello World!");
        MutableItem plain = new MutableItem(pk, NO_SALT, 1, v, Hex.decode(
                "305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01"));
        assertThat(plain.verify()).isTrue();
        assertThat(plain.target().hex()).isEqualTo("4a533d47ec9c7d95b1ad75f576cffc641853b750");
        MutableItem salted = new MutableItem(pk, "foobar".getBytes(StandardCharsets.US_ASCII), 1, v, Hex.decode(
                "6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17ddf9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08"));
        assertThat(salted.verify()).isTrue();
        assertThat(salted.target().hex()).isEqualTo("411eba73b6f087ca51a3795d9c8c938d365e32c1");
        assertThat(ItemStore.immutableTarget(v).hex()).isEqualTo("e5f96f6f38320f0f33959cb4d3d656452117aadb");
    }

    @Test
    void signedBufferHasTheBep44Layout() {
        assertThat(new String(MutableItem.signedBuffer("ab".getBytes(StandardCharsets.US_ASCII), 7, BValue.integer(3)), StandardCharsets.US_ASCII))
                .isEqualTo("4:salt2:ab3:seqi7e1:vi3e");
        assertThat(new String(MutableItem.signedBuffer(NO_SALT, 1, BValue.string("x")), StandardCharsets.US_ASCII))
                .isEqualTo("3:seqi1e1:v1:x");
    }

    @Test
    void tamperedItemsAreRejectedWithErrorCode206() {
        MutableItem good = MutableItem.sign(key, NO_SALT, 1, BValue.string("v"));
        MutableItem otherValue = new MutableItem(good.publicKey(), NO_SALT, 1, BValue.string("w"), good.signature());
        MutableItem otherSeq = new MutableItem(good.publicKey(), NO_SALT, 2, BValue.string("v"), good.signature());
        MutableItem otherSalt = new MutableItem(good.publicKey(), "s".getBytes(StandardCharsets.US_ASCII), 1, BValue.string("v"), good.signature());
        for (MutableItem bad : new MutableItem[] {otherValue, otherSeq, otherSalt}) {
            assertThat(bad.verify()).isFalse();
            assertThat(store.putMutable(bad, OptionalLong.empty())).hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(206));
        }
        assertThat(store.putMutable(good, OptionalLong.empty())).isEmpty();
    }

    @Test
    void sequenceNumbersOnlyMoveForward() {
        assertThat(store.putMutable(MutableItem.sign(key, NO_SALT, 5, BValue.string("five")), OptionalLong.empty())).isEmpty();
        assertThat(store.putMutable(MutableItem.sign(key, NO_SALT, 4, BValue.string("four")), OptionalLong.empty()))
                .hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(302));
        // Same seq: a refresh of the same value is fine, a different value is not.
        assertThat(store.putMutable(MutableItem.sign(key, NO_SALT, 5, BValue.string("five")), OptionalLong.empty())).isEmpty();
        assertThat(store.putMutable(MutableItem.sign(key, NO_SALT, 5, BValue.string("other")), OptionalLong.empty()))
                .hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(302));
        assertThat(store.putMutable(MutableItem.sign(key, NO_SALT, 6, BValue.string("six")), OptionalLong.empty())).isEmpty();
    }

    @Test
    void compareAndSwapMustNameTheStoredSeq() {
        store.putMutable(MutableItem.sign(key, NO_SALT, 1, BValue.string("one")), OptionalLong.empty());
        assertThat(store.putMutable(MutableItem.sign(key, NO_SALT, 2, BValue.string("two")), OptionalLong.of(0)))
                .hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(301));
        assertThat(store.putMutable(MutableItem.sign(key, NO_SALT, 2, BValue.string("two")), OptionalLong.of(1))).isEmpty();
    }

    @Test
    void sizeLimitsAreEnforced() {
        BValue big = BValue.bytes(new byte[1000]);
        assertThatThrownBy(() -> MutableItem.sign(key, NO_SALT, 1, big)).hasMessageContaining("limit 1000");
        assertThatThrownBy(() -> MutableItem.sign(key, new byte[65], 1, BValue.string("v"))).hasMessageContaining("salt");
        assertThat(store.putImmutable(big)).hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(205));
        assertThat(store.putImmutable(BValue.bytes(new byte[990]))).isEmpty();
    }

    @Test
    void itemsExpire() {
        MutableItem item = MutableItem.sign(key, NO_SALT, 1, BValue.string("v"));
        store.putMutable(item, OptionalLong.empty());
        clock.advance(Duration.ofMinutes(119));
        assertThat(store.get(item.target())).isPresent();
        clock.advance(Duration.ofMinutes(2));
        assertThat(store.get(item.target())).isEmpty();
    }

    @Test
    void storeIsBounded() {
        ItemStore small = new ItemStore(clock, Duration.ofHours(2), 2);
        assertThat(small.putImmutable(BValue.integer(1))).isEmpty();
        assertThat(small.putImmutable(BValue.integer(2))).isEmpty();
        assertThat(small.putImmutable(BValue.integer(3))).hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(202));
    }
}
