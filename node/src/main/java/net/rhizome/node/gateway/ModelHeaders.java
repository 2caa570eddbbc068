package net.rhizome.node.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import net.rhizome.inference.gguf.GgufPrefixTooShortException;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.gateway.Router;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.metainfo.InfoDict;
import net.rhizome.swarm.session.TorrentSession;
import net.rhizome.swarm.store.ModelLibrary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the models that live workers serve into the catalog without their weights: fetches the first bytes of a
 * model's GGUF file through the swarm (from the workers, which seed it, and peers from the DHT; every piece Merkle-verified),
 * from {@value #FIRST_BYTES} bytes up, doubling until its metadata fits, at most {@value #MAX_BYTES} by default. The
 * bytes stay in the store as a partial model, so a restart reads them again without a download.
 */
final class ModelHeaders {
    private static final Logger log = LoggerFactory.getLogger(ModelHeaders.class);
    static final long FIRST_BYTES = 4 << 20;
    static final long MAX_BYTES = 64 << 20;
    private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration RETRY_AFTER = Duration.ofMinutes(1);

    private final ModelLibrary library;
    private final ModelCatalog catalog;
    private final Function<String, List<PeerAddress>> seeders;
    private final Predicate<Hash32> served;
    private final long firstBytes;
    private final long maxBytes;
    private final Set<String> fetching = ConcurrentHashMap.newKeySet();
    /** Models whose header could not be read, with the System.nanoTime after which to try again. */
    private final Map<String, Long> retryAt = new ConcurrentHashMap<>();

    /**
     * {@code seeders}: swarm addresses of the workers serving a model, by model id; {@code served}: whether a model has
     * workers the gateway would route to (staked and registered for it), so an advertisement alone fetches nothing.
     */
    ModelHeaders(ModelLibrary library, ModelCatalog catalog, Function<String, List<PeerAddress>> seeders, Predicate<Hash32> served,
            long firstBytes, long maxBytes) {
        this.library = library;
        this.catalog = catalog;
        this.seeders = seeders;
        this.served = served;
        this.firstBytes = firstBytes;
        this.maxBytes = maxBytes;
    }

    /** Starts fetching the header of each served model the live workers advertise and the catalog lacks, one fetch per model. */
    synchronized void refresh(List<Router.LivePeer> live) {
        long now = System.nanoTime();
        live.stream().flatMap(p -> p.models().stream()).distinct().forEach(id -> {
            Hash32 h;
            try {
                h = Hash32.parse(id);
            } catch (IllegalArgumentException e) {
                return;
            }
            Long retry = retryAt.get(id);
            if (catalog.get(h).isPresent() || fetching.contains(id) || retry != null && now - retry < 0 || !served.test(h)) {
                return;
            }
            fetching.add(id);
            Thread.ofVirtual().name("gateway-header-" + id.substring(0, 12)).start(() -> fetch(h, id));
        });
    }

    private void fetch(Hash32 h, String id) {
        try {
            ModelCatalog.Model m = read(h, id);
            retryAt.remove(id);
            log.info("gateway model available from the network id={} name={}", id, m.name());
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            retryAt.put(id, System.nanoTime() + RETRY_AFTER.toNanos());
            log.warn("cannot read the header of model {} (retrying in {} s): {}", id, RETRY_AFTER.toSeconds(),
                    e instanceof ExecutionException ? e.getCause().getMessage() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            fetching.remove(id);
        }
    }

    /** Fetches the first bytes of model {@code id} until its metadata reads, and adds it to the catalog. */
    ModelCatalog.Model read(Hash32 h, String id) throws IOException, ExecutionException, TimeoutException, InterruptedException {
        for (long want = firstBytes; ; ) {
            TorrentSession s = library.fetchPrefix(id, seeders.apply(id), want).get(FETCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            InfoDict info = s.info();
            if (info.files().size() != 1) {
                throw new IOException("the torrent has " + info.files().size() + " files; a gateway reads single-file GGUF models");
            }
            long size = info.totalLength();
            try {
                return catalog.add(h, info.name(), MemorySegment.ofArray(firstBytes(s, (int) Math.min(want, size))), size);
            } catch (GgufPrefixTooShortException e) {
                long next = Math.max(2 * want, e.needed());
                if (next > maxBytes) {
                    throw new IOException("its GGUF metadata is longer than this gateway's limit of " + maxBytes + " bytes ("
                            + e.getMessage() + ")");
                }
                want = next;
            }
        }
    }

    private static byte[] firstBytes(TorrentSession s, int n) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(s.files().getFirst())) {
            bytes = in.readNBytes(n);
        }
        if (bytes.length < n) {
            throw new IOException("the model file ends after " + bytes.length + " of the " + n + " verified bytes");
        }
        return bytes;
    }
}
