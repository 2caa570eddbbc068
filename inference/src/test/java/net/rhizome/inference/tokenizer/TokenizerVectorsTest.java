package net.rhizome.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import net.rhizome.inference.gguf.GgufFile;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every text of llama.cpp's tokenizer test vectors must encode to exactly the expected ids. */
class TokenizerVectorsTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    static Path vectorsDir() {
        String dir = System.getenv("RHIZOME_TOKENIZER_VECTORS");
        assumeThat(dir).as("RHIZOME_TOKENIZER_VECTORS is not set (or empty); skipping tokenizer vector tests").isNotBlank();
        return Path.of(dir);
    }

    static Tokenizer load(String family) throws IOException {
        try (GgufFile f = GgufFile.open(vectorsDir().resolve("ggml-vocab-" + family + ".gguf"))) {
            return Tokenizer.fromGguf(f);
        }
    }

    @TestFactory
    Stream<DynamicTest> reproducesLlamaCppIds() {
        return Stream.of("llama-spm", "phi-3", "gpt-2", "falcon", "starcoder", "deepseek-coder")
                .map(family -> DynamicTest.dynamicTest(family, () -> checkFamily(family)));
    }

    private static void checkFamily(String family) throws IOException {
        Path dir = vectorsDir();
        Path base = dir.resolve("ggml-vocab-" + family + ".gguf");
        String inp = Files.readString(Path.of(base + ".inp"), StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>(Arrays.asList(inp.split(SEPARATOR, -1)));
        texts.removeLast(); // the file ends with a separator
        List<String> expected = Files.readAllLines(Path.of(base + ".out"), StandardCharsets.UTF_8);
        assertThat(texts).hasSameSizeAs(expected);
        Tokenizer tokenizer = load(family);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String line = expected.get(i).strip();
            int[] want = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" +")).mapToInt(Integer::parseInt).toArray();
            int[] got = tokenizer.encode(texts.get(i));
            if (!Arrays.equals(got, want)) {
                failures.add("text #" + i + " " + quote(texts.get(i)) + "\n   want " + Arrays.toString(want) + "\n   got  " + Arrays.toString(got));
            }
        }
        assertThat(failures).as(family).isEmpty();
    }

    private static String quote(String s) {
        String q = s.replace("\n", "\\n").replace("\t", "\\t");
        return "\"" + (q.length() > 80 ? q.substring(0, 80) + "…" : q) + "\"";
    }
}
