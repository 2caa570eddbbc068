package net.rhizome.swarm.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
    private static Message roundTrip(Message m) {
        byte[] f = MessageCodec.encode(m);
        return MessageCodec.decode(Arrays.copyOfRange(f, 4, f.length));
    }

    @Test
    void roundTripsEveryMessageKind() {
        assertThat(roundTrip(new Message.Request(3, 16384, 16384))).isEqualTo(new Message.Request(3, 16384, 16384));
        assertThat(roundTrip(new Message.Have(7))).isEqualTo(new Message.Have(7));
        assertThat(roundTrip(new Message.HaveAll())).isInstanceOf(Message.HaveAll.class);
        Message.Piece p = (Message.Piece) roundTrip(new Message.Piece(1, 0, new byte[] {1, 2, 3}));
        assertThat(p.block()).containsExactly(1, 2, 3);
        Message.Hashes h = (Message.Hashes) roundTrip(new Message.Hashes(new byte[32], 0, 4, 2, 1, new byte[96]));
        assertThat(h.count()).isEqualTo(2);
        assertThat(h.hashes()).hasSize(96);
        Message.Extended e = (Message.Extended) roundTrip(new Message.Extended(3, new byte[] {'d', 'e'}));
        assertThat(e.id()).isEqualTo(3);
    }

    @Test
    void pieceFrameIsTheEncodedPieceWithItsTailZeroFilled() {
        byte[] src = {9, 1, 2, 3, 9};
        byte[] frame = MessageCodec.pieceFrame(5, 32768, src, 1, 3, 6);
        assertThat(frame).isEqualTo(MessageCodec.encode(new Message.Piece(5, 32768, new byte[] {1, 2, 3, 0, 0, 0})));
        assertThatThrownBy(() -> MessageCodec.pieceFrame(0, 0, src, 0, 4, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageCodec.pieceFrame(0, 0, src, 0, 0, MessageCodec.MAX_BLOCK + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsMalformedAndOversizedFrames() {
        assertThatThrownBy(() -> MessageCodec.decode(new byte[] {6, 0, 0})).isInstanceOf(WireException.class)
                .hasMessageContaining("request message has a 2-byte payload, expected 12");
        assertThatThrownBy(() -> MessageCodec.decode(new byte[] {0, 1})).hasMessageContaining("expected 0");
        byte[] bigBlock = new byte[1 + 8 + 16 * 1024 + 1];
        bigBlock[0] = 7;
        assertThatThrownBy(() -> MessageCodec.decode(bigBlock)).hasMessageContaining("blocks are at most");
        assertThatThrownBy(() -> MessageCodec.decode(new byte[MessageCodec.MAX_FRAME + 1])).hasMessageContaining("exceeds the limit");
        byte[] hashes = new byte[1 + 48 + 31];
        hashes[0] = 22;
        assertThatThrownBy(() -> MessageCodec.decode(hashes)).hasMessageContaining("whole hashes");
        assertThatThrownBy(() -> MessageCodec.decode(new byte[] {4, (byte) 0xff, 0, 0, 0})).hasMessageContaining("negative piece");
        assertThat(MessageCodec.decode(new byte[] {99})).isEqualTo(new Message.Unknown(99));
    }
}
