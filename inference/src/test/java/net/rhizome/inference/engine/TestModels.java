package net.rhizome.inference.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared test model; tests skip (with the reason) when it is not configured. */
final class TestModels {
    private TestModels() {}

    static Path stories260K() {
        String dir = System.getenv("RHIZOME_TEST_MODELS");
        assumeTrue(dir != null && !dir.isBlank(), "RHIZOME_TEST_MODELS is not set: skipping tests that need stories260K.gguf");
        Path p = Path.of(dir, "stories260K.gguf");
        assumeTrue(Files.isRegularFile(p), "no stories260K.gguf in RHIZOME_TEST_MODELS=" + dir);
        return p;
    }
}
