package net.rhizome.swarm.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.metainfo.Magnet;
import net.rhizome.swarm.metainfo.Metainfo;
import net.rhizome.swarm.metainfo.MetainfoException;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import net.rhizome.swarm.session.Swarm;
import net.rhizome.swarm.session.TorrentSession;
import net.rhizome.swarm.session.TorrentStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model store served by a swarm: everything in the store is seeded or resumed, new models are added or fetched.
 * A model may be fetched only in part, its first bytes ({@link #fetchPrefix}, e.g. a GGUF header): it stays in the
 * store as a partial model (state {@code partial}, never {@link ModelStore#resolve resolved}) until fetched whole.
 */
public final class ModelLibrary {
    private static final Logger log = LoggerFactory.getLogger(ModelLibrary.class);
    private final ModelStore store;
    private final Swarm swarm;

    public ModelLibrary(ModelStore store, Swarm swarm) {
        this.store = store;
        this.swarm = swarm;
    }

    public ModelStore store() {
        return store;
    }

    public Swarm swarm() {
        return swarm;
    }

    /** Seeds complete models and resumes partial ones found in the store. */
    public void resumeAll() throws IOException {
        for (String id : store.ids()) {
            try {
                Optional<Metainfo> m = store.metainfo(id);
                if (m.isPresent()) {
                    watch(swarm.add(m.get(), store.dataDir(id), store.resumeFile(id), null));
                } else if (Files.isRegularFile(magnetFile(id))) {
                    watch(swarm.add(Magnet.parse(Files.readString(magnetFile(id))), store.dataDir(id), store.resumeFile(id), prefixWanted(id).orElse(Long.MAX_VALUE)));
                }
            } catch (RuntimeException | IOException e) {
                log.warn("model {} cannot be resumed: {}", id, e.getMessage());
            }
        }
    }

    /** Hashes {@code source} into a new torrent, puts it in the store and seeds it. */
    public TorrentSession add(Path source) throws IOException {
        TorrentBuilder.Created created = store.add(source);
        String id = created.metainfo().info().id();
        Optional<TorrentSession> existing = swarm.find(id);
        if (existing.isPresent()) {
            return existing.get();
        }
        return swarm.add(created.metainfo(), store.dataDir(id), store.resumeFile(id), created.leafHashes());
    }

    /** Starts fetching a model named by a magnet link or a bare 64-hex id, from {@code peers} and the peer sources. */
    public TorrentSession fetch(String magnetOrId, List<PeerAddress> peers) throws IOException {
        TorrentSession s = fetch(magnetOrId, peers, Long.MAX_VALUE);
        if (s.partial()) {
            s.want(Long.MAX_VALUE);
        }
        Files.deleteIfExists(prefixFile(s.id()));
        return s;
    }

    /**
     * Fetches the first {@code bytes} bytes of a model (all of it if that is its size), like {@link #fetch}; completes
     * once they are verified. A model already in the store, whole or in part, only grows.
     */
    public CompletableFuture<TorrentSession> fetchPrefix(String magnetOrId, List<PeerAddress> peers, long bytes) throws IOException {
        TorrentSession s = fetch(magnetOrId, peers, bytes);
        if (s.partial()) {
            Files.writeString(prefixFile(s.id()), Long.toString(Math.max(bytes, prefixWanted(s.id()).orElse(0))), StandardCharsets.UTF_8);
        }
        return s.want(bytes);
    }

    private TorrentSession fetch(String magnetOrId, List<PeerAddress> peers, long bytes) throws IOException {
        Magnet magnet = magnetOrId.startsWith("magnet:")
                ? Magnet.parse(magnetOrId)
                : new Magnet(idBytes(magnetOrId), null, null, List.of());
        String id = magnet.id();
        Optional<TorrentSession> existing = swarm.find(id);
        TorrentSession s;
        if (existing.isPresent()) {
            s = existing.get();
        } else {
            Optional<Metainfo> known = store.metainfo(id);
            if (known.isPresent()) {
                s = swarm.add(known.get(), store.dataDir(id), store.resumeFile(id), null);
            } else {
                Files.createDirectories(store.dir(id));
                Files.writeString(magnetFile(id), magnet.toString(), StandardCharsets.UTF_8);
                s = swarm.add(magnet, store.dataDir(id), store.resumeFile(id), bytes);
            }
            watch(s);
        }
        for (PeerAddress p : peers) {
            s.addPeer(p);
        }
        magnet.peers().forEach(s::addPeer);
        return s;
    }

    private static byte[] idBytes(String id) {
        try {
            return net.rhizome.core.util.Hex.decode(ModelStore.checkId(id));
        } catch (IllegalArgumentException e) {
            throw new MetainfoException("'" + id + "' is neither a magnet link nor a model id: " + e.getMessage());
        }
    }

    /** Saves the full torrent once a fetched model is complete, so it can be resolved and re-seeded. */
    private void watch(TorrentSession s) {
        s.completion().thenAccept(done -> {
            try {
                Metainfo m = done.metainfo();
                if (m != null && store.metainfo(done.id()).isEmpty()) {
                    store.saveMetainfo(m);
                    Files.deleteIfExists(magnetFile(done.id()));
                    Files.deleteIfExists(prefixFile(done.id()));
                }
            } catch (IOException | RuntimeException e) {
                log.warn("cannot save metainfo of {}: {}", done.id(), e.getMessage());
            }
        });
    }

    private Path magnetFile(String id) {
        return store.dir(id).resolve("magnet");
    }

    /** Present while only the model's first bytes are wanted: how many. */
    private Path prefixFile(String id) {
        return store.dir(id).resolve("prefix");
    }

    private OptionalLong prefixWanted(String id) throws IOException {
        Path f = prefixFile(id);
        try {
            return Files.isRegularFile(f) ? OptionalLong.of(Long.parseLong(Files.readString(f).trim())) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            throw new IOException("unreadable " + f + ": " + e.getMessage());
        }
    }

    public List<ModelInfo> list() throws IOException {
        List<ModelInfo> out = new ArrayList<>();
        for (String id : store.ids()) {
            out.add(info(id));
        }
        return out;
    }

    public ModelInfo info(String id) throws IOException {
        ModelStore.checkId(id);
        Optional<TorrentSession> s = swarm.find(id);
        if (s.isPresent()) {
            TorrentStats st = s.get().stats();
            // share ratio: uploaded over what we downloaded, or over the model size for the original seeder
            long base = st.downloaded() > 0 ? st.downloaded() : st.totalBytes();
            double ratio = base == 0 ? 0 : (double) st.uploaded() / base;
            Magnet magnet = new Magnet(s.get().infoHash(), s.get().info() == null ? null : s.get().info().infoHashV1(),
                    st.name(), List.of());
            return new ModelInfo(id, st.name(), st.totalBytes(), st.state().name().toLowerCase(), st.progress(), st.peers(),
                    st.downloaded(), st.uploaded(), ratio, st.downloadRate(), st.uploadRate(), magnet.toString(), st.error());
        }
        if (!store.contains(id)) {
            throw new IOException("model " + id + " is not in the store");
        }
        Optional<Metainfo> m = store.metainfo(id);
        return new ModelInfo(id, m.map(x -> x.info().name()).orElse(null), m.map(x -> x.info().totalLength()).orElse(0L),
                "stopped", 0, 0, 0, 0, 0, 0, 0, m.map(x -> x.magnet().toString()).orElse(null), null);
    }

    public void remove(String id) throws IOException {
        swarm.find(ModelStore.checkId(id)).ifPresent(swarm::remove);
        store.remove(id);
    }
}
