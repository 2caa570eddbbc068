package net.rhizome.core.bencode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BencodeTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void encodesCanonically() {
        BValue v = BValue.dict("zeta", BValue.integer(-3), "alpha", BValue.list(BValue.string("x"), BValue.integer(0)));
        assertThat(new String(v.encode(), StandardCharsets.US_ASCII)).isEqualTo("d5:alphal1:xi0ee4:zetai-3ee");
    }

    @Test
    void decodesWhatItEncodes() {
        BValue v = BValue.dict("a", BValue.dict("b", BValue.bytes(new byte[] {0, (byte) 0xff})), "n", BValue.integer(Long.MIN_VALUE));
        assertThat(Bencode.decode(v.encode())).isEqualTo(v);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "i-0e|non-canonical integer",
        "i03e|non-canonical integer",
        "ie|empty integer",
        "i12|unexpected end",
        "i1x2e|bad integer digit",
        "i99999999999999999999e|too many digits",
        "i9999999999999999999e|does not fit",
        "03:abc|non-canonical string length",
        "5:abc|claims 5 bytes",
        "99999999999999999999:x|longer than the input",
        "d1:ai1e1:ai2ee|duplicate dictionary key",
        "di1ei2ee|not a byte string",
        "l|unexpected end",
        "i1ei2e|trailing data",
        "x|unexpected 'x'",
        "|unexpected end",
    })
    void rejectsMalformedInputWithAClearMessage(String input, String message) {
        assertThatThrownBy(() -> Bencode.decode(ascii(input == null ? "" : input)))
                .isInstanceOf(BencodeException.class)
                .hasMessageContaining(message);
    }

    @Test
    void nestingAndItemLimitsHold() {
        byte[] deep = ascii("l".repeat(100) + "e".repeat(100));
        assertThatThrownBy(() -> Bencode.decode(deep)).hasMessageContaining("nesting deeper than 64");
        byte[] many = ascii("l" + "i1e".repeat(20) + "e");
        assertThatThrownBy(() -> Bencode.decode(many, new Bencode.Limits(4, 10))).hasMessageContaining("more than 10 values");
        assertThat(Bencode.decode(many, new Bencode.Limits(4, 21))).isInstanceOf(BValue.BList.class);
    }

    @Test
    void decodePrefixLeavesTrailingPayload() {
        byte[] msg = ascii("d1:ai1eeRAW");
        Bencode.Prefix p = Bencode.decodePrefix(msg, 0, Bencode.Limits.DEFAULT);
        assertThat(p.end()).isEqualTo(8);
        assertThat(p.value()).isEqualTo(BValue.dict("a", BValue.integer(1)));
    }

    @Test
    void spanOfFindsTheRawBytesOfAKey() {
        byte[] msg = ascii("d4:infod4:name1:xe5:otheri1ee");
        int[] span = Bencode.spanOf(msg, "info");
        assertThat(new String(msg, span[0], span[1] - span[0], StandardCharsets.US_ASCII)).isEqualTo("d4:name1:xe");
        assertThatThrownBy(() -> Bencode.spanOf(msg, "missing")).hasMessageContaining("missing key 'missing'");
    }

    @Test
    void typedAccessorsNameTheProblem() {
        BValue.BDict d = BValue.dict("n", BValue.integer(1));
        assertThatThrownBy(() -> d.require("n", BValue.BBytes.class)).hasMessage("key 'n' must be a byte string, got an integer");
        assertThatThrownBy(() -> d.require("m", BValue.BInt.class)).hasMessage("missing key 'm'");
        assertThat(d.optional("m", BValue.BInt.class)).isEmpty();
    }
}
