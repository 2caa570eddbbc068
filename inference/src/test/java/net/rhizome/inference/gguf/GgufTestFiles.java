package net.rhizome.inference.gguf;

/** Small GGUF images for tests in other packages. */
public final class GgufTestFiles {
    private GgufTestFiles() {
    }

    /** A tensor-less GGUF v3 file with one string metadata entry. */
    public static byte[] withMetadata(String key, String value) {
        return GgufBytes.header(3, 0, 1).kvString(key, value).bytes();
    }
}
