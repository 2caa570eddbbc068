package net.rhizome.inference.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compiled kernels do not box their vectors at any vector width: see {@link KernelAllocationProbe} for
 * why this matters. The one allocation allowed is the 16-float scale scratch of a K-quant row decode
 * (80 bytes, twice per probe step); boxed vectors cost kilobytes per row.
 */
class KernelAllocationTest {

    @Test
    void compiledKernelsAllocateNothingAtEveryVectorWidth() throws Exception {
        for (String bits : new String[] {"0", "128", "256", "512"}) {
            List<String> lines = WidthProbes.run(bits, KernelAllocationProbe.class.getName()).lines().filter(l -> l.startsWith("ALLOC ")).toList();
            assertThat(lines).as("RHIZOME_VECTOR_BITS=%s", bits).hasSize(6)
                    .allSatisfy(l -> assertThat(Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).as(l).isLessThanOrEqualTo(1000 * 2 * 80));
        }
    }
}
