package net.rhizome.inference.engine;

/**
 * @param threads     worker threads for the kernels (results do not depend on it)
 * @param maxContext  KV cache positions per job (capped at the model's context length)
 * @param prefillBatch prompt tokens per batched forward pass; 1 runs the prompt one token at a time
 */
public record EngineOptions(int threads, int maxContext, int prefillBatch) {

    public EngineOptions {
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be 1..256, got " + threads);
        }
        if (maxContext < 1) {
            throw new IllegalArgumentException("max context must be >= 1, got " + maxContext);
        }
        if (prefillBatch < 1) {
            throw new IllegalArgumentException("prefill batch must be >= 1, got " + prefillBatch);
        }
    }

    public static EngineOptions defaults() {
        return new EngineOptions(Math.max(1, Runtime.getRuntime().availableProcessors()), 4096, 256);
    }

    public EngineOptions withThreads(int n) {
        return new EngineOptions(n, maxContext, prefillBatch);
    }

    public EngineOptions withPrefillBatch(int n) {
        return new EngineOptions(threads, maxContext, n);
    }

    public EngineOptions withMaxContext(int n) {
        return new EngineOptions(threads, n, prefillBatch);
    }
}
