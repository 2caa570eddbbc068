package net.rhizome.core.bencode;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Arbitrary bytes into the decoder: either a {@link BencodeException} with a message, or a value
 * whose re-encoding decodes to the same value. Never another exception, never a hang or OOM.
 * In a normal build Jazzer replays the seeds in {@code BencodeFuzzTestInputs/decode}.
 */
class BencodeFuzzTest {

    @FuzzTest
    void decode(byte[] input) {
        check(input);
    }

    static void check(byte[] input) {
        BValue v;
        try {
            v = Bencode.decode(input, new Bencode.Limits(32, 10_000));
        } catch (BencodeException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return;
        }
        assertThat(Bencode.decode(v.encode())).isEqualTo(v);
    }
}
