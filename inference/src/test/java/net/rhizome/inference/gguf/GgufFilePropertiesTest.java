package net.rhizome.inference.gguf;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzz-style properties that run in every {@code mvn test} (Jazzer's regression mode only replays
 * seeds): mutated valid files and random bytes either parse or fail with {@link GgufFormatException}.
 */
class GgufFilePropertiesTest {
    private static final byte[] VALID = GgufTestFiles.smallModel();

    @Property(tries = 2000)
    void mutatedFilesParseOrFailCleanly(@ForAll @Size(min = 1, max = 8) int[] positions, @ForAll byte value,
            @ForAll @IntRange(min = 0, max = 400) int truncateTo) {
        byte[] bytes = Arrays.copyOf(VALID, Math.min(VALID.length, Math.max(truncateTo, 24)));
        for (int p : positions) {
            bytes[Math.floorMod(p, bytes.length)] = value;
        }
        GgufFuzzing.exercise(bytes);
    }

    @Property(tries = 500)
    void randomBytesAfterAValidHeaderFailCleanly(@ForAll @Size(max = 300) byte[] tail, @ForAll @IntRange(max = 40) int tensors,
            @ForAll @IntRange(max = 40) int keys) {
        byte[] header = GgufBytes.header(3, tensors, keys).bytes();
        byte[] bytes = Arrays.copyOf(header, header.length + tail.length);
        System.arraycopy(tail, 0, bytes, header.length, tail.length);
        GgufFuzzing.exercise(bytes);
    }
}
