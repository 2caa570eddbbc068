package net.rhizome.ledger.tx;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;

class SignatureCheckerTest {
    /** A checker with room for two keys, so the cache is dropped and refilled during the run. */
    final SignatureChecker checker = new SignatureChecker(2);

    @Property(tries = 300)
    void agreesWithPlainVerification(@ForAll @IntRange(min = 0, max = 5) int signer, @ForAll @IntRange(min = 0, max = 5) int claimed,
                                     @ForAll @Size(max = 200) byte[] message, @ForAll boolean corrupt) {
        KeyPair key = KeyPair.deterministic("checker-" + signer);
        PeerId who = KeyPair.deterministic("checker-" + claimed).peerId();
        byte[] sig = key.sign(message);
        if (corrupt) {
            sig[sig.length / 2] ^= 4;
        }
        assertThat(checker.verify(who, message, sig)).isEqualTo(who.verify(message, sig))
                .isEqualTo(signer == claimed && !corrupt);
    }

    @Property(tries = 100)
    void randomKeysAndSignaturesNeverThrow(@ForAll @Size(value = 32) byte[] key, @ForAll @Size(value = 64) byte[] sig,
                                           @ForAll byte[] message) {
        PeerId id = PeerId.of(key);
        assertThat(checker.verify(id, message, sig)).isEqualTo(id.verify(message, sig));
    }
}
