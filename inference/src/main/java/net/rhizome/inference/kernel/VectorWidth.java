package net.rhizome.inference.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD width the kernels use, fixed for the life of the JVM: system property
 * {@code rhizome.vector.bits}, else environment variable {@code RHIZOME_VECTOR_BITS}, else the
 * machine's preferred float species. {@code 0} selects the scalar path. Every width computes the
 * same bits (see {@link Dot}); the setting only changes speed.
 */
public final class VectorWidth {
    public static final String PROPERTY = "rhizome.vector.bits";
    public static final String ENV = "RHIZOME_VECTOR_BITS";

    /** Width in bits: 0, 128, 256 or 512. */
    public static final int BITS = resolve(System.getProperty(PROPERTY), System.getenv(ENV));
    /** True when the scalar path is forced. */
    public static final boolean SCALAR = BITS == 0;
    /** Float species for the vector path; a 128-bit species when {@link #SCALAR} so it is never null. */
    public static final VectorSpecies<Float> F = SCALAR ? FloatVector.SPECIES_128 : FloatVector.SPECIES_PREFERRED.withShape(
            jdk.incubator.vector.VectorShape.forBitSize(BITS));
    /** Floats per vector. */
    public static final int L = F.length();
    /** Vectors per canonical 32-lane group (2, 4 or 8). */
    public static final int K = Dot.LANES / L;

    private VectorWidth() {}

    static int resolve(String property, String env) {
        String v = property != null && !property.isBlank() ? property : env;
        if (v == null || v.isBlank()) {
            int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
            return Math.min(512, Math.max(128, preferred));
        }
        return switch (v.trim()) {
            case "0" -> 0;
            case "128" -> 128;
            case "256" -> 256;
            case "512" -> 512;
            default -> throw new IllegalArgumentException(
                    PROPERTY + "/" + ENV + " must be 0, 128, 256 or 512, got '" + v.trim() + "'");
        };
    }

    /** A label for reports, e.g. {@code 256-bit} or {@code scalar}. */
    public static String describe() {
        return SCALAR ? "scalar" : BITS + "-bit";
    }
}
