package net.rhizome.node.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.core.util.Hex;

/**
 * The gateway's API keys, each bound to a wallet on this node. A key reads {@code rhz-ID-SECRET}; the
 * file ({@code DATA_DIR/gateway/api-keys.json}, mode 0600) keeps only the id and SHA-256 of the secret,
 * so reading it does not reveal usable keys. Revoked keys stay listed. Thread-safe.
 */
public final class ApiKeys {
    public static final int MAX_KEYS = 10_000;
    private static final long MAX_FILE_BYTES = 8L << 20;
    private static final Pattern KEY = Pattern.compile("rhz-([0-9a-f]{12})-([0-9a-f]{64})");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One key as stored and listed; the secret itself is never stored. */
    public record Entry(
            @JsonProperty("id") String id,
            @JsonProperty("secret_sha256") String secretSha256,
            @JsonProperty("wallet") String wallet,
            @JsonProperty("label") String label,
            @JsonProperty("created") String created,
            @JsonProperty("revoked") String revoked) {
        public boolean active() {
            return revoked == null;
        }
    }

    /** A new key: the text to hand to the user (shown once) and its entry. */
    public record Created(String key, Entry entry) {}

    private record FileForm(@JsonProperty("keys") List<Entry> keys) {}

    private final Path file;
    private final SecureRandom random = new SecureRandom();
    private final List<Entry> entries;

    private ApiKeys(Path file, List<Entry> entries) {
        this.file = file;
        this.entries = new ArrayList<>(entries);
    }

    /** Opens the key file, or an empty store that will create it on the first key. */
    public static ApiKeys open(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new ApiKeys(file, List.of());
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException("API key file " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        try {
            FileForm form = JSON.readValue(file.toFile(), FileForm.class);
            List<Entry> keys = form.keys() == null ? List.of() : form.keys();
            for (Entry e : keys) {
                if (e.id() == null || e.secretSha256() == null || e.wallet() == null) {
                    throw new IOException("an entry lacks id, secret_sha256 or wallet");
                }
                PeerId.parse(e.wallet());
            }
            return new ApiKeys(file, keys);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("cannot read API key file " + file + ": " + e.getMessage(), e);
        }
    }

    public synchronized Created create(PeerId wallet, String label) throws IOException {
        if (entries.size() >= MAX_KEYS) {
            throw new IllegalStateException("this node already holds " + MAX_KEYS + " API keys; revoke or remove some");
        }
        byte[] id = new byte[6];
        byte[] secret = new byte[32];
        random.nextBytes(id);
        random.nextBytes(secret);
        String secretHex = Hex.encode(secret);
        Entry entry = new Entry(Hex.encode(id), digest(secretHex), wallet.hex(), label == null ? "" : label, Instant.now().toString(), null);
        entries.add(entry);
        save();
        return new Created("rhz-" + entry.id() + "-" + secretHex, entry);
    }

    public synchronized List<Entry> list() {
        return List.copyOf(entries);
    }

    /** Revokes a key by id; false when no such key exists. */
    public synchronized boolean revoke(String id) throws IOException {
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.id().equals(id)) {
                if (e.active()) {
                    entries.set(i, new Entry(e.id(), e.secretSha256(), e.wallet(), e.label(), e.created(), Instant.now().toString()));
                    save();
                }
                return true;
            }
        }
        return false;
    }

    /** The wallet a bearer key pays from, or an {@link OpenAiException} (401) naming why the key is refused. */
    public PeerId authenticate(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            throw OpenAiException.missingKey();
        }
        if (!authorizationHeader.startsWith("Bearer ")) {
            throw OpenAiException.invalidKey("the Authorization header must read 'Bearer <key>'");
        }
        var m = KEY.matcher(authorizationHeader.substring(7).trim());
        if (!m.matches()) {
            throw OpenAiException.invalidKey("that is not a Rhizome API key (they read rhz-<id>-<secret>)");
        }
        Entry e = find(m.group(1)).orElseThrow(() -> OpenAiException.invalidKey("unknown API key " + m.group(1)));
        byte[] presented = digest(m.group(2)).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(presented, e.secretSha256().getBytes(StandardCharsets.US_ASCII))) {
            throw OpenAiException.invalidKey("unknown API key " + m.group(1));
        }
        if (!e.active()) {
            throw OpenAiException.invalidKey("API key " + e.id() + " was revoked at " + e.revoked());
        }
        return PeerId.parse(e.wallet());
    }

    private synchronized Optional<Entry> find(String id) {
        return entries.stream().filter(e -> e.id().equals(id)).findFirst();
    }

    private static String digest(String secretHex) {
        return Hex.encode(Hashes.sha256(secretHex.getBytes(StandardCharsets.US_ASCII)));
    }

    private void save() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".api-keys", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), new FileForm(entries));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
