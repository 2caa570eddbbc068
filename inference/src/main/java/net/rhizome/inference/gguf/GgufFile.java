package net.rhizome.inference.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A GGUF (version 2 or 3, little-endian) model file, memory-mapped read-only.
 *
 * <p>Everything in the header is validated against the file before use: counts, string lengths,
 * tensor shapes (no overflow, whole blocks per row), tensor offsets (aligned, inside the file,
 * not overlapping). Any violation is a {@link GgufFormatException} naming the field. Limits,
 * chosen far above any real model so that hostile files cannot exhaust memory:
 * <ul>
 *   <li>{@value #MAX_METADATA_ENTRIES} metadata entries, {@value #MAX_TENSORS} tensors, {@value #MAX_DIMS} dimensions;
 *   <li>keys and tensor names up to {@value #MAX_NAME_BYTES} bytes, string values up to {@value #MAX_STRING_BYTES} bytes;
 *   <li>{@value #MAX_ARRAY_ELEMENTS} array elements in all metadata arrays together; nested arrays are rejected.
 * </ul>
 *
 * <p>{@link #metadataOf} reads only the header and metadata from the first bytes of a file (what a tokenizer,
 * chat template and model configuration need), with the same checks; such a file has no tensors.
 *
 * <p>Metadata values are {@code String}, {@code Long} (every integer type), {@code Float}, {@code Double},
 * {@code Boolean}, or arrays: {@code int[]} (8/16/32-bit integers except uint32), {@code long[]}
 * (uint32, 64-bit integers), {@code float[]}, {@code double[]}, {@code boolean[]}, {@code List<String>}.
 * Arrays inside {@link #metadata()} are shared: do not modify them; the typed getters return copies.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAX_METADATA_ENTRIES = 1 << 16;
    public static final int MAX_TENSORS = 1 << 16;
    public static final int MAX_DIMS = 4;
    public static final int MAX_NAME_BYTES = 1024;
    public static final int MAX_STRING_BYTES = 16 << 20;
    public static final int MAX_ARRAY_ELEMENTS = 1 << 22;
    public static final long DEFAULT_ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";

    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian

    private final String source;
    private final Arena arena;
    private final MemorySegment segment;
    private final int version;
    private final Map<String, Object> metadata;
    private final List<GgufTensor> tensors;
    private final Map<String, GgufTensor> tensorsByName;
    private final long alignment;
    private final long dataOffset;

    private GgufFile(String source, Arena arena, MemorySegment segment, int version, Map<String, Object> metadata,
            List<GgufTensor> tensors, long alignment, long dataOffset) {
        this.source = source;
        this.arena = arena;
        this.segment = segment;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = List.copyOf(tensors);
        Map<String, GgufTensor> byName = new HashMap<>();
        for (GgufTensor t : tensors) {
            byName.put(t.name(), t);
        }
        this.tensorsByName = byName;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    /** Maps and validates {@code path}. I/O problems are IOExceptions; format problems {@link GgufFormatException}. */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return parse(path.toString(), arena, segment, segment.byteSize(), false);
        } catch (GgufFormatException e) {
            arena.close();
            throw new GgufFormatException(path + ": " + e.getMessage());
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Parses a GGUF image already in memory; the caller keeps ownership of {@code segment}. */
    public static GgufFile of(MemorySegment segment) {
        return parse("<memory>", null, segment, segment.byteSize(), false);
    }

    /**
     * Reads the header and metadata of a GGUF file of {@code fileSize} bytes from {@code prefix}, its first bytes;
     * tensor infos and data are not read ({@link #tensors()} is empty, {@link #dataOffset()} is -1). A prefix that
     * ends inside the metadata is a {@link GgufPrefixTooShortException} naming the bytes needed; anything invalid
     * before that point, or a metadata section running past {@code fileSize}, is a {@link GgufFormatException}.
     */
    public static GgufFile metadataOf(MemorySegment prefix, long fileSize) {
        return parse("<prefix>", null, prefix, fileSize, true);
    }

    private static GgufFile parse(String source, Arena arena, MemorySegment segment, long fileSize, boolean metadataOnly) {
        GgufCursor in = new GgufCursor(segment, fileSize);
        if (fileSize < 4) {
            throw new GgufFormatException(fileSize + " bytes is too short for a GGUF header (24 bytes)");
        }
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw new GgufFormatException("bad magic 0x" + Integer.toHexString(Integer.reverseBytes(magic))
                    + ", expected 0x47475546 (\"GGUF\"); not a GGUF file");
        }
        int version = in.i32("version");
        if (version != 2 && version != 3) {
            int swapped = Integer.reverseBytes(version);
            if (swapped == 2 || swapped == 3) {
                throw new GgufFormatException("big-endian GGUF files are not supported");
            }
            throw new GgufFormatException("unsupported GGUF version " + Integer.toUnsignedString(version)
                    + " (supported: 2, 3)");
        }
        long tensorCount = in.count("tensor count", MAX_TENSORS, 8 + 4 + 8 + 4 + 8);
        long kvCount = in.count("metadata entry count", MAX_METADATA_ENTRIES, 8 + 4);

        MetadataParser meta = new MetadataParser(in);
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string("metadata key #" + i, MAX_NAME_BYTES);
            Object value = meta.value(key);
            if (metadata.putIfAbsent(key, value) != null) {
                throw new GgufFormatException("duplicate metadata key '" + key + "'");
            }
        }
        long alignment = DEFAULT_ALIGNMENT;
        Object align = metadata.get(ALIGNMENT_KEY);
        if (align != null) {
            if (!(align instanceof Long a) || a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
                throw new GgufFormatException(ALIGNMENT_KEY + " must be a power of two integer up to 2^30, got " + align);
            }
            alignment = (Long) align;
        }
        if (metadataOnly) {
            return new GgufFile(source, arena, segment, version, metadata, List.of(), alignment, -1);
        }

        List<RawTensor> raw = new ArrayList<>((int) tensorCount);
        for (long i = 0; i < tensorCount; i++) {
            raw.add(RawTensor.read(in, i));
        }
        long dataOffset = alignUp(in.position(), alignment);
        List<GgufTensor> tensors = placeTensors(segment, raw, dataOffset, alignment);
        return new GgufFile(source, arena, segment, version, metadata, tensors, alignment, dataOffset);
    }

    private static List<GgufTensor> placeTensors(MemorySegment segment, List<RawTensor> raw, long dataOffset,
            long alignment) {
        long fileSize = segment.byteSize();
        List<GgufTensor> tensors = new ArrayList<>(raw.size());
        Map<String, GgufTensor> seen = new HashMap<>();
        for (RawTensor r : raw) {
            if (r.relativeOffset % alignment != 0) {
                throw new GgufFormatException("tensor '" + r.name + "' offset " + r.relativeOffset
                        + " is not a multiple of the alignment " + alignment);
            }
            long start = dataOffset + r.relativeOffset;
            if (r.relativeOffset < 0 || start < 0 || start > fileSize || r.byteSize > fileSize - start) {
                throw new GgufFormatException("tensor '" + r.name + "' data [" + Long.toUnsignedString(r.relativeOffset)
                        + " + " + r.byteSize + " bytes] lies past the end of the file (" + fileSize + " bytes; data section starts at "
                        + dataOffset + ")");
            }
            GgufTensor t = new GgufTensor(r.name, r.type, r.dims, start, r.byteSize, segment.asSlice(start, r.byteSize).asReadOnly());
            if (seen.putIfAbsent(r.name, t) != null) {
                throw new GgufFormatException("duplicate tensor name '" + r.name + "'");
            }
            tensors.add(t);
        }
        List<GgufTensor> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GgufTensor::fileOffset));
        for (int i = 1; i < byOffset.size(); i++) {
            GgufTensor prev = byOffset.get(i - 1);
            GgufTensor cur = byOffset.get(i);
            if (prev.fileOffset() + prev.byteSize() > cur.fileOffset()) {
                throw new GgufFormatException("tensor '" + cur.name() + "' overlaps tensor '" + prev.name() + "'");
            }
        }
        return tensors;
    }

    static long alignUp(long value, long alignment) {
        return Math.addExact(value, alignment - 1) & -alignment;
    }

    /** A tensor-info record before placement in the data section. */
    private record RawTensor(String name, GgmlType type, long[] dims, long relativeOffset, long byteSize) {
        static RawTensor read(GgufCursor in, long index) {
            String name = in.string("tensor #" + index + " name", MAX_NAME_BYTES);
            String what = "tensor '" + name + "'";
            int nDims = in.i32(what + " dimension count");
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw new GgufFormatException(what + " has " + Integer.toUnsignedString(nDims) + " dimensions; supported 1 to " + MAX_DIMS);
            }
            long[] dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                dims[d] = in.i64(what + " dimension " + d);
                if (dims[d] < 0) {
                    throw new GgufFormatException(what + " dimension " + d + " is negative (" + Long.toUnsignedString(dims[d]) + ")");
                }
                if (dims[d] != 0 && elements > Long.MAX_VALUE / dims[d]) {
                    throw new GgufFormatException(what + " shape " + Arrays.toString(Arrays.copyOf(dims, d + 1)) + " overflows 64 bits");
                }
                elements *= dims[d];
            }
            int typeId = in.i32(what + " type");
            GgmlType type;
            try {
                type = GgmlType.fromId(typeId);
            } catch (IllegalArgumentException e) {
                throw new GgufFormatException(what + " has unknown ggml type " + Integer.toUnsignedString(typeId));
            }
            if (dims[0] % type.blockSize() != 0) {
                throw new GgufFormatException(what + " row length " + dims[0] + " is not a multiple of the " + type + " block size "
                        + type.blockSize());
            }
            long blocksPerRow = dims[0] / type.blockSize();
            long rows = dims[0] == 0 ? 0 : elements / dims[0];
            if (blocksPerRow > Long.MAX_VALUE / type.bytesPerBlock()) {
                throw new GgufFormatException(what + " byte size overflows 64 bits");
            }
            long rowBytes = blocksPerRow * type.bytesPerBlock();
            if (rows != 0 && rowBytes > Long.MAX_VALUE / rows) {
                throw new GgufFormatException(what + " byte size overflows 64 bits");
            }
            long offset = in.i64(what + " data offset");
            return new RawTensor(name, type, dims, offset, rowBytes * rows);
        }
    }

    /** Reads typed metadata values, keeping a budget of array elements over the whole file. */
    private static final class MetadataParser {
        private final GgufCursor in;
        private long arrayBudget = MAX_ARRAY_ELEMENTS;

        MetadataParser(GgufCursor in) {
            this.in = in;
        }

        Object value(String key) {
            int type = in.i32("type of metadata '" + key + "'");
            String what = "metadata '" + key + "'";
            if (type == ValueType.ARRAY) {
                return array(key);
            }
            return scalar(type, what);
        }

        private Object scalar(int type, String what) {
            return switch (type) {
                case ValueType.UINT8 -> (long) in.u8(what);
                case ValueType.INT8 -> (long) in.i8(what);
                case ValueType.UINT16 -> (long) Short.toUnsignedInt(in.i16(what));
                case ValueType.INT16 -> (long) in.i16(what);
                case ValueType.UINT32 -> Integer.toUnsignedLong(in.i32(what));
                case ValueType.INT32 -> (long) in.i32(what);
                case ValueType.INT64 -> in.i64(what);
                case ValueType.UINT64 -> {
                    long v = in.i64(what);
                    if (v < 0) {
                        throw new GgufFormatException(what + " value " + Long.toUnsignedString(v) + " exceeds 2^63-1");
                    }
                    yield v;
                }
                case ValueType.FLOAT32 -> in.f32(what);
                case ValueType.FLOAT64 -> in.f64(what);
                case ValueType.BOOL -> bool(what);
                case ValueType.STRING -> in.string(what, MAX_STRING_BYTES);
                default -> throw new GgufFormatException(what + " has unknown value type " + Integer.toUnsignedString(type));
            };
        }

        private boolean bool(String what) {
            int b = in.u8(what);
            if (b > 1) {
                throw new GgufFormatException(what + " boolean byte is " + b + ", expected 0 or 1");
            }
            return b == 1;
        }

        private Object array(String key) {
            String what = "metadata array '" + key + "'";
            int type = in.i32(what + " element type");
            int elementBytes = switch (type) {
                case ValueType.UINT8, ValueType.INT8, ValueType.BOOL -> 1;
                case ValueType.UINT16, ValueType.INT16 -> 2;
                case ValueType.UINT32, ValueType.INT32, ValueType.FLOAT32 -> 4;
                case ValueType.UINT64, ValueType.INT64, ValueType.FLOAT64, ValueType.STRING -> 8;
                case ValueType.ARRAY -> throw new GgufFormatException(what + " contains nested arrays, which are not supported");
                default -> throw new GgufFormatException(what + " has unknown element type " + Integer.toUnsignedString(type));
            };
            int n = (int) in.count(what + " length", arrayBudget, elementBytes);
            arrayBudget -= n;
            String item = what + " element";
            switch (type) {
                case ValueType.UINT8, ValueType.INT8, ValueType.UINT16, ValueType.INT16, ValueType.INT32 -> {
                    int[] a = new int[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = (int) (long) (Long) scalar(type, item);
                    }
                    return a;
                }
                case ValueType.UINT32, ValueType.INT64, ValueType.UINT64 -> {
                    long[] a = new long[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = (Long) scalar(type, item);
                    }
                    return a;
                }
                case ValueType.FLOAT32 -> {
                    float[] a = new float[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = in.f32(item);
                    }
                    return a;
                }
                case ValueType.FLOAT64 -> {
                    double[] a = new double[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = in.f64(item);
                    }
                    return a;
                }
                case ValueType.BOOL -> {
                    boolean[] a = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = bool(item);
                    }
                    return a;
                }
                default -> {
                    String[] a = new String[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = in.string(item, i, MAX_STRING_BYTES);
                    }
                    return List.of(a);
                }
            }
        }
    }

    /** GGUF metadata value type numbers. */
    static final class ValueType {
        static final int UINT8 = 0;
        static final int INT8 = 1;
        static final int UINT16 = 2;
        static final int INT16 = 3;
        static final int UINT32 = 4;
        static final int INT32 = 5;
        static final int FLOAT32 = 6;
        static final int BOOL = 7;
        static final int STRING = 8;
        static final int ARRAY = 9;
        static final int UINT64 = 10;
        static final int INT64 = 11;
        static final int FLOAT64 = 12;

        private ValueType() {
        }
    }

    // ---- accessors ----

    /** Where the file came from (its path, or {@code <memory>}). */
    public String source() {
        return source;
    }

    public int version() {
        return version;
    }

    public long alignment() {
        return alignment;
    }

    /** Absolute offset of the tensor data section; -1 for a {@link #metadataOf metadata-only} read. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The whole file (the prefix, for a {@link #metadataOf metadata-only} read), read-only. */
    public MemorySegment segment() {
        return segment.asReadOnly();
    }

    /** All metadata in file order (values as documented on the class). */
    public Map<String, Object> metadata() {
        return metadata;
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public List<GgufTensor> tensors() {
        return tensors;
    }

    public Optional<GgufTensor> tensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    /** The tensor called {@code name}, or an error naming the missing tensor. */
    public GgufTensor requireTensor(String name) {
        GgufTensor t = tensorsByName.get(name);
        if (t == null && dataOffset < 0) {
            throw new IllegalStateException(source + ": tensor '" + name + "' wanted from a metadata-only read");
        }
        if (t == null) {
            throw new GgufFormatException(source + ": missing tensor '" + name + "'");
        }
        return t;
    }

    private Object require(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            throw new GgufFormatException(source + ": missing metadata key '" + key + "'");
        }
        return v;
    }

    private GgufFormatException wrongType(String key, String expected, Object v) {
        return new GgufFormatException(source + ": metadata '" + key + "' should be " + expected + " but is " + describe(v));
    }

    private static String describe(Object v) {
        return switch (v) {
            case List<?> l -> "a string array of " + l.size();
            case int[] a -> "an integer array of " + a.length;
            case long[] a -> "an integer array of " + a.length;
            case float[] a -> "a float array of " + a.length;
            case double[] a -> "a float array of " + a.length;
            case boolean[] a -> "a boolean array of " + a.length;
            default -> "a " + v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " (" + v + ")";
        };
    }

    public String string(String key) {
        return optString(key).orElseThrow(() -> new GgufFormatException(source + ": missing metadata key '" + key + "'"));
    }

    public Optional<String> optString(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        throw wrongType(key, "a string", v);
    }

    public long integer(String key) {
        require(key);
        return optInteger(key).getAsLong();
    }

    public OptionalLong optInteger(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        if (v instanceof Long l) {
            return OptionalLong.of(l);
        }
        throw wrongType(key, "an integer", v);
    }

    /** An integer that must fit in [min, max]; the error names the key and the range. */
    public int intInRange(String key, int min, int max) {
        long v = integer(key);
        if (v < min || v > max) {
            throw new GgufFormatException(source + ": metadata '" + key + "' is " + v + ", expected " + min + " to " + max);
        }
        return (int) v;
    }

    public double floating(String key) {
        require(key);
        return optFloating(key).getAsDouble();
    }

    /** A float32 or float64 value (integers are accepted too, as some converters write them). */
    public OptionalDouble optFloating(String key) {
        Object v = metadata.get(key);
        return switch (v) {
            case null -> OptionalDouble.empty();
            case Float f -> OptionalDouble.of(f);
            case Double d -> OptionalDouble.of(d);
            case Long l -> OptionalDouble.of(l);
            default -> throw wrongType(key, "a number", v);
        };
    }

    public Optional<Boolean> optBoolean(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Boolean b) {
            return Optional.of(b);
        }
        throw wrongType(key, "a boolean", v);
    }

    @SuppressWarnings("unchecked")
    public List<String> stringArray(String key) {
        Object v = require(key);
        if (v instanceof List<?> l) {
            return (List<String>) l;
        }
        throw wrongType(key, "a string array", v);
    }

    /** An integer array as {@code int[]} (a copy); values outside the int range are an error. */
    public int[] intArray(String key) {
        Object v = require(key);
        if (v instanceof int[] a) {
            return a.clone();
        }
        if (v instanceof long[] a) {
            int[] out = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                if (a[i] != (int) a[i]) {
                    throw new GgufFormatException(source + ": metadata '" + key + "' element " + i + " (" + a[i] + ") does not fit in 32 bits");
                }
                out[i] = (int) a[i];
            }
            return out;
        }
        throw wrongType(key, "an integer array", v);
    }

    /** An integer array as {@code long[]} (a copy). */
    public long[] longArray(String key) {
        Object v = require(key);
        if (v instanceof long[] a) {
            return a.clone();
        }
        if (v instanceof int[] a) {
            return Arrays.stream(a).asLongStream().toArray();
        }
        throw wrongType(key, "an integer array", v);
    }

    /** A float32 array (a copy); float64 arrays are narrowed. */
    public float[] floatArray(String key) {
        Object v = require(key);
        if (v instanceof float[] a) {
            return a.clone();
        }
        if (v instanceof double[] a) {
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = (float) a[i];
            }
            return out;
        }
        throw wrongType(key, "a float array", v);
    }

    /** Memory that {@link #close()} frees with the mapping, for working copies of the tensors (freed by the GC when nothing is mapped). */
    public SegmentAllocator memory() {
        return arena != null ? arena : Arena.ofAuto();
    }

    /** Unmaps the file; tensor data segments become inaccessible. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + source + ", v" + version + ", " + metadata.size() + " keys, " + tensors.size() + " tensors]";
    }
}
