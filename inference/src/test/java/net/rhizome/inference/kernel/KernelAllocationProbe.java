package net.rhizome.inference.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Random;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.quant.WeightMatrix;

/**
 * Prints {@code ALLOC <type> <bytes>} for every type with a fused kernel: the bytes that 1000 row
 * products ({@link MatVec#dot}, and {@link MatVec#dotPair} where it applies) and 1000 row decodes
 * ({@link MatVec#dequantRow}) allocate once the JIT has compiled them, then {@code ALLOC attention}
 * for attention's reductions (warming up for at most 60 s: on a loaded machine C2 once took 24 s
 * to recompile a row decoder after a deoptimisation, and until then its C1 code boxed every
 * vector). Compiled kernels allocate nothing. A kernel whose compilation ran out of C2's inlining
 * budget boxes its vectors instead: it allocates on every row and runs 4-10x slower (Q4_0 and Q4_K
 * did, with 256- and 128-bit vectors). Run once per {@code rhizome.vector.bits} in a child JVM.
 */
public final class KernelAllocationProbe {
    private static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K};
    private static final long WARM_UP_NANOS = 60_000_000_000L;

    public static void main(String[] args) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            for (GgmlType type : TYPES) {
                int rows = 4, cols = 512;
                Random r = new Random(7);
                MemorySegment raw = KernelPropertiesTest.randomMatrix(type, rows, cols, r).data();
                MemorySegment data = arena.allocate(raw.byteSize(), 64).copyFrom(raw); // native, as a mapped file is
                WeightMatrix w = WeightMatrix.of("w", type, rows, cols, data, arena);
                float[] x = KernelPropertiesTest.gaussian(cols, r), scratch = new float[cols], lanes = new float[2 * Dot.LANES], row = new float[cols];
                float[] y = new float[rows];
                boolean pairs = MatVec.pairs(w);
                long deadline = System.nanoTime() + WARM_UP_NANOS, allocated;
                float sink = 0;
                do {
                    for (int i = 0; i < 5000; i++) {
                        sink += MatVec.dot(w, i % rows, x, 0, scratch, lanes);
                        MatVec.dequantRow(w, i % rows, row, 0);
                        if (pairs) {
                            MatVec.dotPair(w, 2 * (i % 2), x, 0, y, lanes);
                        }
                    }
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 1000; i++) {
                        sink += MatVec.dot(w, i % rows, x, 0, scratch, lanes);
                        MatVec.dequantRow(w, i % rows, row, 0);
                        if (pairs) {
                            MatVec.dotPair(w, 2 * (i % 2), x, 0, y, lanes);
                        }
                    }
                    allocated = threads.getCurrentThreadAllocatedBytes() - before;
                } while (allocated > 0 && System.nanoTime() < deadline);
                System.out.println("ALLOC " + type + " " + allocated + (Float.isNaN(sink + row[0] + y[0]) ? " (NaN)" : ""));
            }
        }
        System.out.println("ALLOC attention " + attentionAllocation(threads));
    }

    /** The same for attention's reductions ({@link Dot#dots}, {@link Ops#weightedSum}) over 64-float heads. */
    private static long attentionAllocation(com.sun.management.ThreadMXBean threads) {
        int headDim = 64, positions = 300;
        Random r = new Random(7);
        float[] q = KernelPropertiesTest.gaussian(headDim, r), kv = KernelPropertiesTest.gaussian(positions * headDim, r);
        float[] scores = new float[positions], sum = new float[headDim], lanes = new float[Dot.LANES];
        long deadline = System.nanoTime() + WARM_UP_NANOS, allocated;
        do {
            for (int i = 0; i < 2000; i++) {
                Dot.dots(q, 0, kv, 0, headDim, positions, headDim, 0.125f, scores, lanes);
                Ops.weightedSum(scores, positions, kv, 0, headDim, sum, 0, headDim);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 500; i++) {
                Dot.dots(q, 0, kv, 0, headDim, positions, headDim, 0.125f, scores, lanes);
                Ops.weightedSum(scores, positions, kv, 0, headDim, sum, 0, headDim);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        } while (allocated > 0 && System.nanoTime() < deadline);
        return allocated;
    }
}
