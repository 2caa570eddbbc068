package net.rhizome.node.daemon;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * What a running daemon writes to {@code DATA_DIR/node.json} so the CLI and the devnet can find it:
 * its id, process, and the addresses it actually bound. Removed again on graceful shutdown; a file
 * whose pid is no longer alive is stale.
 */
public record NodeRuntime(
        @JsonProperty("peer_id") String peerId,
        @JsonProperty("pid") long pid,
        @JsonProperty("rpc_address") String rpcAddress,
        @JsonProperty("dht_port") int dhtPort,
        @JsonProperty("http_url") String httpUrl,
        @JsonProperty("roles") List<String> roles) {
    public static final String FILE_NAME = "node.json";
    private static final long MAX_FILE_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static NodeRuntime read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        try {
            return JSON.readValue(file.toFile(), NodeRuntime.class);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public boolean processAlive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
