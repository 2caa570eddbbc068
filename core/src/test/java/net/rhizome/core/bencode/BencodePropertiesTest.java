package net.rhizome.core.bencode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Round trips of arbitrary values, and mutated encodings that must fail cleanly or decode canonically. */
class BencodePropertiesTest {

    @Property(tries = 1000)
    void encodeThenDecodeIsIdentity(@ForAll("values") BValue value) {
        assertThat(Bencode.decode(value.encode())).isEqualTo(value);
    }

    @Property(tries = 1000)
    void encodingIsCanonical(@ForAll("values") BValue value) {
        byte[] once = value.encode();
        assertThat(Bencode.decode(once).encode()).isEqualTo(once);
    }

    @Property(tries = 2000)
    void mutatedEncodingsFailCleanly(@ForAll("values") BValue value, @ForAll int position, @ForAll byte replacement, @ForAll boolean truncate) {
        byte[] bytes = value.encode();
        int at = Math.floorMod(position, bytes.length);
        bytes[at] = replacement;
        BencodeFuzzTest.check(truncate ? Arrays.copyOf(bytes, at) : bytes);
    }

    @Property(tries = 2000)
    void randomBytesFailCleanly(@ForAll @Size(max = 300) byte[] input) {
        BencodeFuzzTest.check(input);
    }

    @Provide
    Arbitrary<BValue> values() {
        return values(3);
    }

    /** Values nested at most {@code depth} levels, so generated trees stay small. */
    private static Arbitrary<BValue> values(int depth) {
        Arbitrary<BValue> leaf = Arbitraries.oneOf(
                Arbitraries.longs().map(BValue::integer),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(BValue::bytes));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<BValue> inner = values(depth - 1);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, leaf),
                net.jqwik.api.Tuple.of(1, inner.list().ofMaxSize(4).map(items -> new BValue.BList(List.copyOf(items)))),
                net.jqwik.api.Tuple.of(1, Arbitraries.maps(Arbitraries.strings().ofMaxLength(6).map(BValue::string), inner)
                        .ofMaxSize(4)
                        .map(m -> new BValue.BDict(new TreeMap<>(m)))));
    }
}
