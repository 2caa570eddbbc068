package net.rhizome.inference.synth;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.gguf.GgufWriter;
import net.rhizome.inference.model.Architecture;
import net.rhizome.inference.quant.Formats;

/**
 * Writes GGUF models with seeded random weights of any {@link ModelShape} and tensor type,
 * loadable by Rhizome and llama.cpp alike. Quantised tensors are drawn directly in their encoded
 * form (random block scales and random quants, scaled so each weight has a standard deviation of
 * about {@code gain / sqrt(row length)}), so even a 1.1B model takes seconds. The vocabulary is a
 * small SentencePiece one: control tokens, the 256 byte tokens, then letters and numbered pieces.
 */
public final class SyntheticModels {
    private static final int ROWS_PER_CHUNK = 64;

    private SyntheticModels() {}

    /** Writes the model to {@code out}. Same (shape, type, seed) gives the same file, byte for byte. */
    public static void write(ModelShape s, GgmlType type, long seed, Path out) throws IOException {
        write(s, type, seed, OptionalInt.empty(), out);
    }

    /** As {@link #write(ModelShape, GgmlType, long, Path)}, declaring {@code {arch}.pooling_type} (llama.cpp's numbers) when given. */
    public static void write(ModelShape s, GgmlType type, long seed, OptionalInt poolingType, Path out) throws IOException {
        if (!Formats.supported(type)) {
            throw new IllegalArgumentException("type " + type + " is not supported (supported: " + Formats.SUPPORTED + ")");
        }
        int block = type.blockSize();
        if (s.dim() % block != 0 || s.ffnDim() % block != 0) {
            throw new IllegalArgumentException("shape " + s.name() + " (dim " + s.dim() + ", ffn " + s.ffnDim()
                    + ") cannot hold " + type + ": rows must be multiples of " + block);
        }
        String a = s.arch().ggufName();
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", a)
                .putString("general.name", "rhizome-synthetic-" + s.name() + "-" + type.name().toLowerCase() + "-seed" + seed)
                .putUInt32(a + ".context_length", s.contextLength())
                .putUInt32(a + ".embedding_length", s.dim())
                .putUInt32(a + ".block_count", s.layers())
                .putUInt32(a + ".feed_forward_length", s.ffnDim())
                .putUInt32(a + ".attention.head_count", s.heads())
                .putUInt32(a + ".attention.head_count_kv", s.kvHeads())
                .putFloat32(a + ".attention.layer_norm_rms_epsilon", 1e-5f)
                .putUInt32(a + ".rope.dimension_count", s.headDim())
                .putFloat32(a + ".rope.freq_base", 10000f);
        poolingType.ifPresent(p -> w.putUInt32(a + ".pooling_type", p));
        vocabulary(w, s.vocab());
        int dim = s.dim(), kvDim = s.kvHeads() * s.headDim();
        w.addTensor("token_embd.weight", type, new long[] {dim, s.vocab()}, matrix(type, dim, s.vocab(), 1.0, seed, "token_embd"));
        for (int l = 0; l < s.layers(); l++) {
            String b = "blk." + l + ".";
            w.addF32(b + "attn_norm.weight", new long[] {dim}, norm(dim, seed, b + "attn_norm"));
            w.addTensor(b + "attn_q.weight", type, new long[] {dim, dim}, matrix(type, dim, dim, 1.0, seed, b + "q"));
            w.addTensor(b + "attn_k.weight", type, new long[] {dim, kvDim}, matrix(type, dim, kvDim, 1.0, seed, b + "k"));
            w.addTensor(b + "attn_v.weight", type, new long[] {dim, kvDim}, matrix(type, dim, kvDim, 1.0, seed, b + "v"));
            if (s.arch() == Architecture.QWEN2) {
                w.addF32(b + "attn_q.bias", new long[] {dim}, small(dim, seed, b + "bq"));
                w.addF32(b + "attn_k.bias", new long[] {kvDim}, small(kvDim, seed, b + "bk"));
                w.addF32(b + "attn_v.bias", new long[] {kvDim}, small(kvDim, seed, b + "bv"));
            }
            if (s.arch() == Architecture.QWEN3) {
                w.addF32(b + "attn_q_norm.weight", new long[] {s.headDim()}, norm(s.headDim(), seed, b + "qn"));
                w.addF32(b + "attn_k_norm.weight", new long[] {s.headDim()}, norm(s.headDim(), seed, b + "kn"));
            }
            w.addTensor(b + "attn_output.weight", type, new long[] {dim, dim}, matrix(type, dim, dim, 1.0, seed, b + "o"));
            w.addF32(b + "ffn_norm.weight", new long[] {dim}, norm(dim, seed, b + "ffn_norm"));
            w.addTensor(b + "ffn_gate.weight", type, new long[] {dim, s.ffnDim()}, matrix(type, dim, s.ffnDim(), 1.0, seed, b + "gate"));
            w.addTensor(b + "ffn_up.weight", type, new long[] {dim, s.ffnDim()}, matrix(type, dim, s.ffnDim(), 1.0, seed, b + "up"));
            w.addTensor(b + "ffn_down.weight", type, new long[] {s.ffnDim(), dim}, matrix(type, s.ffnDim(), dim, 1.0, seed, b + "down"));
        }
        w.addF32("output_norm.weight", new long[] {dim}, norm(dim, seed, "output_norm"));
        if (!s.tiedEmbeddings()) {
            // a larger gain gives peaked next-token distributions, so greedy choices are clear-cut
            w.addTensor("output.weight", type, new long[] {dim, s.vocab()}, matrix(type, dim, s.vocab(), 4.0, seed, "output"));
        }
        w.write(out);
    }

    private static void vocabulary(GgufWriter w, int vocab) {
        List<String> tokens = new ArrayList<>(vocab);
        tokens.addAll(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
        }
        String letters = "▁abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.,!?";
        for (int i = 0; i < letters.length() && tokens.size() < vocab; i++) {
            tokens.add(letters.substring(i, i + 1));
        }
        for (int i = 0; tokens.size() < vocab; i++) {
            tokens.add("▁" + Integer.toString(i, 26).chars().mapToObj(c -> String.valueOf((char) (Character.digit(c, 26) + 'a')))
                    .reduce("", String::concat));
        }
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            types[i] = i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1;
            scores[i] = i < 259 ? 0f : -(i - 259);
        }
        w.putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putFloatArray("tokenizer.ggml.scores", scores)
                .putInt32Array("tokenizer.ggml.token_type", types)
                .putUInt32("tokenizer.ggml.unknown_token_id", 0)
                .putUInt32("tokenizer.ggml.bos_token_id", 1)
                .putUInt32("tokenizer.ggml.eos_token_id", 2)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false);
    }

    private static SplittableRandom rng(long seed, String tensor) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ tensor.hashCode());
    }

    private static float[] norm(int n, long seed, String tensor) {
        SplittableRandom r = rng(seed, tensor);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (1.0 + 0.1 * (r.nextDouble() - 0.5));
        }
        return v;
    }

    private static float[] small(int n, long seed, String tensor) {
        SplittableRandom r = rng(seed, tensor);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.1 * (r.nextDouble() - 0.5));
        }
        return v;
    }

    /** A {@code rows x cols} matrix of {@code type}, weights of standard deviation about {@code gain / sqrt(cols)}. */
    private static GgufWriter.TensorSource matrix(GgmlType type, int cols, int rows, double gain, long seed, String tensor) {
        return out -> {
            SplittableRandom r = rng(seed, tensor);
            double std = gain / Math.sqrt(cols);
            long rowBytes = type.byteSize(cols);
            ByteBuffer buf = ByteBuffer.allocate((int) (rowBytes * ROWS_PER_CHUNK)).order(ByteOrder.LITTLE_ENDIAN);
            for (int row = 0; row < rows; row++) {
                for (int b = 0; b < cols / type.blockSize(); b++) {
                    block(type, r, std, buf);
                }
                if (!buf.hasRemaining() || row == rows - 1) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
            }
        };
    }

    private static short f16(double v) {
        return Float.floatToFloat16((float) v);
    }

    private static void randomBytes(SplittableRandom r, ByteBuffer buf, int n, int mask) {
        for (int i = 0; i < n; i++) {
            buf.put((byte) (r.nextInt() & mask));
        }
    }

    /** Appends one block of random encoded weights. */
    private static void block(GgmlType type, SplittableRandom r, double std, ByteBuffer buf) {
        double jitter = 0.75 + 0.5 * r.nextDouble();
        switch (type) {
            case F32 -> buf.putFloat((float) (std * Math.sqrt(3) * (2 * r.nextDouble() - 1)));
            case F16 -> buf.putShort(f16(std * Math.sqrt(3) * (2 * r.nextDouble() - 1)));
            case BF16 -> buf.putShort((short) (Float.floatToRawIntBits((float) (std * Math.sqrt(3) * (2 * r.nextDouble() - 1))) >>> 16));
            case Q8_0 -> {
                buf.putShort(f16(jitter * std / 73.3));
                for (int i = 0; i < 32; i++) {
                    buf.put((byte) (r.nextInt(255) - 127));
                }
            }
            case Q4_0 -> {
                buf.putShort(f16(jitter * std / 4.6));
                randomBytes(r, buf, 16, 0xFF);
            }
            case Q4_K, Q5_K -> {
                double qStd = type == GgmlType.Q4_K ? 4.6 : 9.2;
                double qMean = type == GgmlType.Q4_K ? 7.5 : 15.5;
                double d = jitter * std / (qStd * 48);
                buf.putShort(f16(d));
                buf.putShort(f16(d * 48 * qMean / 32)); // dmin: mins (about 32 on average) cancel the quants' mean
                byte[] sc = new byte[12];
                for (int j = 0; j < 8; j++) {
                    packScaleMin(sc, j, 32 + r.nextInt(32), r.nextInt(64));
                }
                buf.put(sc);
                if (type == GgmlType.Q5_K) {
                    randomBytes(r, buf, 32, 0xFF);
                }
                randomBytes(r, buf, 128, 0xFF);
            }
            case Q6_K -> {
                randomBytes(r, buf, 128 + 64, 0xFF);
                for (int j = 0; j < 16; j++) {
                    buf.put((byte) ((r.nextBoolean() ? 1 : -1) * (48 + r.nextInt(64))));
                }
                buf.putShort(f16(jitter * std / (18.5 * 80)));
            }
            default -> throw new IllegalArgumentException("type " + type + " is not supported");
        }
    }

    /** Inverse of ggml's get_scale_min_k4: stores 6-bit scale and min of sub-block {@code j}. */
    static void packScaleMin(byte[] q, int j, int sc, int m) {
        if (j < 4) {
            q[j] = (byte) ((q[j] & 0xC0) | sc);
            q[j + 4] = (byte) ((q[j + 4] & 0xC0) | m);
        } else {
            q[j + 4] = (byte) ((sc & 0xF) | ((m & 0xF) << 4));
            q[j - 4] = (byte) ((q[j - 4] & 0x3F) | ((sc >> 4) << 6));
            q[j] = (byte) ((q[j] & 0x3F) | ((m >> 4) << 6));
        }
    }
}
