package net.rhizome.inference.quant;

import java.util.EnumSet;
import java.util.Set;
import net.rhizome.inference.gguf.GgmlType;

/** The tensor encodings the engine computes with. */
public final class Formats {
    public static final Set<GgmlType> SUPPORTED = EnumSet.of(
            GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

    private Formats() {}

    public static boolean supported(GgmlType type) {
        return SUPPORTED.contains(type);
    }
}
