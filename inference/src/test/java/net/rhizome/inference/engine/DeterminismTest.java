package net.rhizome.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import net.rhizome.inference.kernel.WidthProbes;
import org.junit.jupiter.api.Test;

/**
 * The determinism contract on stories260K: the SHA-256 of every logit of a sampled generation
 * (prompt positions included) is the same for any thread count, prefill batching and SIMD width;
 * and every kernel gives the scalar path's bits at every SIMD width, for every tensor type.
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
            String out = probe(bits, DeterminismProbe.class.getName(), model.toString(), "2", "7");
            assertThat(out).as("RHIZOME_VECTOR_BITS=%s", bits)
                    .isEqualTo("PROBE " + ("0".equals(bits) ? "scalar" : bits + "-bit") + " " + reference);
        }
    }

    @Test
    void fusedAndBatchedKernelsAreBitExactAtEveryVectorWidth() throws Exception {
        String probe = "net.rhizome.inference.kernel.KernelWidthProbe";
        String scalar = probe("0", probe);
        assertThat(scalar).startsWith("KERNELS scalar ");
        String hash = scalar.substring("KERNELS scalar ".length());
        for (String bits : new String[] {"128", "256", "512"}) {
            assertThat(probe(bits, probe)).as("RHIZOME_VECTOR_BITS=%s", bits).isEqualTo("KERNELS " + bits + "-bit " + hash);
        }
    }

    /** The first line of the probe's output starting with PROBE or KERNELS. */
    private static String probe(String bits, String mainClass, String... args) throws Exception {
        String out = WidthProbes.run(bits, mainClass, args);
        return out.lines().filter(l -> l.startsWith("PROBE ") || l.startsWith("KERNELS ")).findFirst().orElse("no probe line in: " + out);
    }
}
