package net.rhizome.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenizeCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private static Path vocab(String family) {
        String dir = System.getenv("RHIZOME_TOKENIZER_VECTORS");
        assumeThat(dir).as("RHIZOME_TOKENIZER_VECTORS is not set (or empty); skipping").isNotBlank();
        return Path.of(dir, "ggml-vocab-" + family + ".gguf");
    }

    @Test
    void printsIdsOfAVocabularyOnlyFile() {
        assertThat(run("tokenize", "--model", vocab("llama-spm").toString(), "Hello world")).isZero();
        assertThat(out.toString().strip()).isEqualTo("15043 3186");
    }

    @Test
    void bosAndJson() {
        assertThat(run("tokenize", "--json", "--bos", "--model", vocab("llama-spm").toString(), "Hello")).isZero();
        assertThat(out.toString().strip()).isEqualTo("{\"tokens\":[1,15043],\"pieces\":[\"<s>\",\" Hello\"],\"count\":2}");
    }

    @Test
    void jsonShowsByteTokensByTheirVocabularyText() {
        assertThat(run("tokenize", "--json", "--model", vocab("llama-spm").toString(), "🦙")).isZero();
        assertThat(out.toString().strip()).isEqualTo(
                "{\"tokens\":[29871,243,162,169,156],\"pieces\":[\" \",\"<0xF0>\",\"<0x9F>\",\"<0xA6>\",\"<0x99>\"],\"count\":5}");
    }

    @Test
    void specialTokensOnlyWithFlag() {
        String model = vocab("gpt-2").toString();
        assertThat(run("tokenize", "--special", "--model", model, "<|endoftext|>")).isZero();
        assertThat(out.toString().strip()).isEqualTo("50256");
    }

    @Test
    void missingFileIsOneLine(@TempDir Path dir) {
        assertThat(run("tokenize", "--model", dir.resolve("nope.gguf").toString(), "x")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("rhizome tokenize: model file not found: " + dir.resolve("nope.gguf") + System.lineSeparator());
    }

    @Test
    void directoryIsOneLine(@TempDir Path dir) {
        assertThat(run("tokenize", "--model", dir.toString(), "x")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("rhizome tokenize: not a regular file: " + dir + System.lineSeparator());
    }

    @Test
    void notAGgufFileIsOneLine(@TempDir Path dir) throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.gguf"), "definitely not a model");
        assertThat(run("tokenize", "--model", junk.toString(), "x")).isEqualTo(1);
        assertThat(err.toString()).startsWith("rhizome tokenize: " + junk + ": bad magic").doesNotContain("Exception");
        assertThat(err.toString().lines()).hasSize(1);
    }
}
