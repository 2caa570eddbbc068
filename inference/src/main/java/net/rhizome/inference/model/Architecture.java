package net.rhizome.inference.model;

/** Model families the forward pass implements, named as in {@code general.architecture}. */
public enum Architecture {
    /** Llama 2/3, TinyLlama, Mistral, SmolLM, llama2.c exports: RoPE on adjacent pairs. */
    LLAMA("llama", false, false, false),
    /** Qwen2: biases on Q, K and V; RoPE on halves (NeoX order). */
    QWEN2("qwen2", true, false, true),
    /** Qwen3: RMS norm on each Q and K head; RoPE on halves. */
    QWEN3("qwen3", false, true, true);

    private final String ggufName;
    private final boolean qkvBias;
    private final boolean qkNorm;
    private final boolean neoxRope;

    Architecture(String ggufName, boolean qkvBias, boolean qkNorm, boolean neoxRope) {
        this.ggufName = ggufName;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
        this.neoxRope = neoxRope;
    }

    public static Architecture fromGguf(String name) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("architecture '" + name + "' is not supported (supported: llama, qwen2, qwen3)");
    }

    public String ggufName() {
        return ggufName;
    }

    public boolean qkvBias() {
        return qkvBias;
    }

    public boolean qkNorm() {
        return qkNorm;
    }

    /** True: rotate element i with i + d/2 (GPT-NeoX); false: rotate 2i with 2i+1. */
    public boolean neoxRope() {
        return neoxRope;
    }
}
