package net.rhizome.inference.gguf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;

/**
 * Jazzer fuzz target for the GGUF reader: any byte string either parses or is rejected with a
 * {@link GgufFormatException}; nothing else may escape. In a normal {@code mvn test} it replays the
 * seeds in {@code src/test/resources/.../GgufFileFuzzTestInputs}; with {@code JAZZER_FUZZ=1} it explores.
 */
class GgufFileFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parseAnyBytes(byte[] bytes) {
        GgufFuzzing.exercise(bytes);
    }
}
