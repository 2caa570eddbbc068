package net.rhizome.node.devnet;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** {@code DIR/devnet.json}: the nodes of a local devnet, so other shells can find and stop them. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DevnetManifest(@JsonProperty("created_at") String createdAt, @JsonProperty("nodes") List<Node> nodes) {
    public static final String FILE_NAME = "devnet.json";
    private static final long MAX_FILE_BYTES = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public DevnetManifest {
        nodes = List.copyOf(nodes);
    }

    /**
     * One devnet node; {@code index} counts from 1; {@code args} are its {@code node start} arguments (for restarts);
     * {@code apiKey} is a gateway API key paying from this node's genesis-funded wallet (null on a bare devnet).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Node(
            @JsonProperty("index") int index,
            @JsonProperty("peer_id") String peerId,
            @JsonProperty("roles") List<String> roles,
            @JsonProperty("data_dir") String dataDir,
            @JsonProperty("pid") long pid,
            @JsonProperty("rpc_address") String rpcAddress,
            @JsonProperty("dht_port") int dhtPort,
            @JsonProperty("http_url") String httpUrl,
            @JsonProperty("args") List<String> args,
            @JsonProperty("api_key") String apiKey) {

        public Node withPid(long newPid) {
            return new Node(index, peerId, roles, dataDir, newPid, rpcAddress, dhtPort, httpUrl, args, apiKey);
        }

        public Node withApiKey(String key) {
            return new Node(index, peerId, roles, dataDir, pid, rpcAddress, dhtPort, httpUrl, args, key);
        }

        public boolean processAlive() {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    public static Path file(Path dir) {
        return dir.resolve(FILE_NAME);
    }

    /**
     * Reads the manifest in {@code dir}.
     *
     * @throws IOException naming the file when it is missing, too large or malformed
     */
    public static DevnetManifest read(Path dir) throws IOException {
        Path file = file(dir);
        if (!Files.exists(file)) {
            throw new IOException("no devnet in " + dir + " (no " + FILE_NAME + "); start one with ./rhizome devnet up");
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        try {
            DevnetManifest manifest = JSON.readValue(file.toFile(), DevnetManifest.class);
            if (manifest.nodes == null) {
                throw new IOException("no nodes listed");
            }
            return manifest;
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, file(dir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The node with 1-based {@code index}. */
    public Node node(int index) {
        return nodes.stream().filter(n -> n.index() == index).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the devnet has no node " + index + " (it has 1.." + nodes.size() + ")"));
    }

    public String toJson() throws IOException {
        return JSON.writeValueAsString(this);
    }
}
