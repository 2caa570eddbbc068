package net.rhizome.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The determinism contract on stories260K: the SHA-256 of every logit of a sampled generation
 * (prompt positions included) is the same for any thread count, prefill batching and SIMD width.
 */
class DeterminismTest {

    @Test
    void logitsHashIsIndependentOfThreadsAndBatching() throws Exception {
        Path model = TestModels.stories260K();
        String reference = DeterminismProbe.hash(model, 1, 256);
        assertThat(reference).endsWith(":48");
        for (int threads : new int[] {1, 2, 3}) {
            for (int batch : new int[] {1, 5, 256}) {
                assertThat(DeterminismProbe.hash(model, threads, batch)).as("threads %d, prefill batch %d", threads, batch).isEqualTo(reference);
            }
        }
    }

    @Test
    void logitsHashIsIndependentOfVectorWidth() throws Exception {
        Path model = TestModels.stories260K();
        String reference = DeterminismProbe.hash(model, 2, 256);
        for (String bits : new String[] {"0", "128", "256", "512"}) {
            String out = probe(model, bits);
            assertThat(out).as("RHIZOME_VECTOR_BITS=%s", bits)
                    .isEqualTo("PROBE " + ("0".equals(bits) ? "scalar" : bits + "-bit") + " " + reference);
        }
    }

    private static String probe(Path model, String bits) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Drhizome.vector.bits=" + bits, "-cp", System.getProperty("java.class.path"),
                DeterminismProbe.class.getName(), model.toString(), "2", "7"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("probe finished").isTrue();
        assertThat(p.exitValue()).as("probe exit code, output: %s", out).isZero();
        return out.lines().filter(l -> l.startsWith("PROBE ")).findFirst().orElse("no probe line in: " + out + " classpath entries " + System.getProperty("java.class.path").split(File.pathSeparator).length);
    }
}
