package net.rhizome.swarm.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** The wire decoder either decodes a frame (which then re-encodes to the same bytes) or throws WireException. */
class WireFuzzTest {
    @FuzzTest
    void decodeFrame(byte[] frame) {
        check(frame);
    }

    @Property(tries = 2000)
    void randomFramesNeverEscape(@ForAll @Size(max = 200) byte[] frame) {
        check(frame);
    }

    private static void check(byte[] frame) {
        Message m;
        try {
            m = MessageCodec.decode(frame);
        } catch (WireException expected) {
            return;
        }
        if (m instanceof Message.Unknown) {
            return;
        }
        byte[] again = MessageCodec.encode(m);
        assertThat(java.util.Arrays.copyOfRange(again, 4, again.length)).isEqualTo(frame);
    }
}
