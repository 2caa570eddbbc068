package net.rhizome.inference.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Compiled kernels allocate nothing at any vector width: see {@link KernelAllocationProbe} for why this matters. */
class KernelAllocationTest {

    @Test
    void compiledKernelsAllocateNothingAtEveryVectorWidth() throws Exception {
        for (String bits : new String[] {"0", "128", "256", "512"}) {
            List<String> lines = WidthProbes.run(bits, KernelAllocationProbe.class.getName()).lines().filter(l -> l.startsWith("ALLOC ")).toList();
            assertThat(lines).as("RHIZOME_VECTOR_BITS=%s", bits).hasSize(7).allSatisfy(l -> assertThat(l).endsWith(" 0"));
        }
    }

    /**
     * The same in another compile order: with {@code -Xbatch} each method is compiled the moment it
     * gets hot, with a younger profile. Q5_K's kernel once boxed an accumulator per iteration only in
     * this order.
     */
    @Test
    void kernelsCompiledInBatchOrderAllocateNothing() throws Exception {
        for (String bits : new String[] {"128", "256", "512"}) {
            List<String> lines = WidthProbes.runWithJvmOptions(List.of("-Xbatch"), bits, KernelAllocationProbe.class.getName()).lines().filter(l -> l.startsWith("ALLOC ")).toList();
            assertThat(lines).as("-Xbatch, RHIZOME_VECTOR_BITS=%s", bits).hasSize(7).allSatisfy(l -> assertThat(l).endsWith(" 0"));
        }
    }
}
