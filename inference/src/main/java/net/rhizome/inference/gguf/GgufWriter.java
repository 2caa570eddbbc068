package net.rhizome.inference.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files: metadata, then tensor descriptions, then the tensor data, each tensor
 * aligned to 32 bytes. Tensor data is streamed from a {@link TensorSource}, so files larger than
 * memory can be written. The file appears atomically (written to a temporary sibling first).
 */
public final class GgufWriter {
    /** Produces a tensor's bytes, in order; must write exactly the tensor's byte size. */
    @FunctionalInterface
    public interface TensorSource {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Tensor(String name, GgmlType type, long[] dims, long byteSize, TensorSource source) {}

    private static final int ALIGNMENT = (int) GgufFile.DEFAULT_ALIGNMENT;
    private final Map<String, byte[]> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter putString(String key, String value) {
        return put(key, 8, str(value));
    }

    public GgufWriter putUInt32(String key, int value) {
        return put(key, 4, le(4).putInt(value).array());
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, 6, le(4).putFloat(value).array());
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, 7, new byte[] {(byte) (value ? 1 : 0)});
    }

    public GgufWriter putStringArray(String key, List<String> values) {
        ByteBuffer head = le(12).putInt(8).putLong(values.size());
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes(head.array());
        values.forEach(v -> out.writeBytes(str(v)));
        return put(key, 9, out.toByteArray());
    }

    public GgufWriter putFloatArray(String key, float[] values) {
        ByteBuffer b = le(12 + 4 * values.length).putInt(6).putLong(values.length);
        for (float v : values) {
            b.putFloat(v);
        }
        return put(key, 9, b.array());
    }

    public GgufWriter putInt32Array(String key, int[] values) {
        ByteBuffer b = le(12 + 4 * values.length).putInt(5).putLong(values.length);
        for (int v : values) {
            b.putInt(v);
        }
        return put(key, 9, b.array());
    }

    /** Adds a tensor with {@code dims} in ggml order (dims[0] contiguous). */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorSource source) {
        long elements = 1;
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException(name + ": dimension " + d + " must be positive");
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (dims.length == 0 || dims.length > GgufFile.MAX_DIMS || dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": shape does not fit " + type + " (rank 1.." + GgufFile.MAX_DIMS
                    + ", first dimension a multiple of " + type.blockSize() + ")");
        }
        if (tensors.stream().anyMatch(t -> t.name.equals(name))) {
            throw new IllegalArgumentException("duplicate tensor " + name);
        }
        tensors.add(new Tensor(name, type, dims.clone(), type.byteSize(elements), source));
        return this;
    }

    /** Adds an F32 tensor holding {@code values}. */
    public GgufWriter addF32(String name, long[] dims, float[] values) {
        return addTensor(name, GgmlType.F32, dims, out -> {
            ByteBuffer b = le(4 * values.length);
            b.asFloatBuffer().put(values);
            out.write(b.array());
        });
    }

    public void write(Path path) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (OutputStream raw = Files.newOutputStream(tmp); CountingStream out = new CountingStream(new BufferedOutputStream(raw, 1 << 20))) {
            out.write(le(24).putInt(0x46554747).putInt(3).putLong(tensors.size()).putLong(metadata.size()).array());
            for (var e : metadata.entrySet()) {
                out.write(str(e.getKey()));
                out.write(e.getValue());
            }
            long offset = 0;
            for (Tensor t : tensors) {
                out.write(str(t.name));
                ByteBuffer b = le(4 + 8 * t.dims.length + 4 + 8).putInt(t.dims.length);
                for (long d : t.dims) {
                    b.putLong(d);
                }
                out.write(b.putInt(t.type.id()).putLong(offset).array());
                offset = align(offset + t.byteSize);
            }
            pad(out);
            for (Tensor t : tensors) {
                long start = out.count;
                t.source.writeTo(out);
                if (out.count - start != t.byteSize) {
                    throw new IllegalStateException(t.name + ": source wrote " + (out.count - start) + " bytes, expected " + t.byteSize);
                }
                pad(out);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private GgufWriter put(String key, int type, byte[] value) {
        if (metadata.containsKey(key)) {
            throw new IllegalArgumentException("duplicate metadata key " + key);
        }
        byte[] v = new byte[4 + value.length];
        le(4).putInt(type).flip().get(v, 0, 4);
        System.arraycopy(value, 0, v, 4, value.length);
        metadata.put(key, v);
        return this;
    }

    private static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void pad(CountingStream out) throws IOException {
        out.write(new byte[(int) (align(out.count) - out.count)]);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return le(8 + b.length).putLong(b.length).put(b).array();
    }

    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
