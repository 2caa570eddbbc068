package net.rhizome.node.worker;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import net.rhizome.swarm.store.ModelStore;

/**
 * What a worker serves, as given to {@code node start --serve … --price …}: kept in
 * {@code DATA_DIR/worker/settings.json} so a restarted node serves the same.
 */
public record WorkerSettings(
        @JsonProperty("serve") List<String> serve,
        @JsonProperty("price_per_token") long pricePerToken,
        @JsonProperty("capacity") int capacity) {
    /** Credits have six decimals: one credit is 1 000 000 base units. */
    public static final long BASE_UNITS_PER_CREDIT = 1_000_000;
    public static final String FILE = "settings.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public WorkerSettings {
        serve = List.copyOf(serve);
        if (serve.isEmpty() || serve.size() > 16) {
            throw new IllegalArgumentException("serve 1..16 models, got " + serve.size());
        }
        serve.forEach(ModelStore::checkId);
        if (pricePerToken < 0) {
            throw new IllegalArgumentException("price must not be negative");
        }
        if (capacity < 1 || capacity > 256) {
            throw new IllegalArgumentException("capacity must be 1..256, got " + capacity);
        }
    }

    /** Base units per token for a price in credits per 1000 tokens, which must come out whole. */
    public static long perToken(BigDecimal creditsPer1k) {
        BigDecimal units = creditsPer1k.multiply(BigDecimal.valueOf(BASE_UNITS_PER_CREDIT)).divide(BigDecimal.valueOf(1000));
        if (units.signum() < 0) {
            throw new IllegalArgumentException("--price must not be negative");
        }
        try {
            return units.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("--price " + creditsPer1k.toPlainString()
                    + " is not a whole number of base units per token (1 credit = " + BASE_UNITS_PER_CREDIT + " units; use steps of 0.001)");
        }
    }

    public static Path file(Path dataDir) {
        return dataDir.resolve("worker").resolve(FILE);
    }

    public void write(Path dataDir) throws IOException {
        Path f = file(dataDir);
        Files.createDirectories(f.getParent());
        Path tmp = f.resolveSibling(FILE + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static Optional<WorkerSettings> read(Path dataDir) throws IOException {
        Path f = file(dataDir);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        if (Files.size(f) > 64 * 1024) {
            throw new IOException(f + " is larger than 64 KiB");
        }
        try {
            return Optional.of(JSON.readValue(f.toFile(), WorkerSettings.class));
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("cannot read worker settings " + f + ": " + e.getMessage(), e);
        }
    }
}
