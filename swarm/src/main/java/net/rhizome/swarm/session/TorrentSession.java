package net.rhizome.swarm.session;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import net.rhizome.core.crypto.Hashes;
import net.rhizome.core.util.Hex;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.metainfo.FileEntry;
import net.rhizome.swarm.metainfo.InfoDict;
import net.rhizome.swarm.metainfo.Merkle;
import net.rhizome.swarm.metainfo.Metainfo;
import net.rhizome.swarm.metainfo.MetainfoException;
import net.rhizome.swarm.storage.FileHashTree;
import net.rhizome.swarm.storage.ResumeState;
import net.rhizome.swarm.storage.Storage;
import net.rhizome.swarm.wire.Handshake;
import net.rhizome.swarm.wire.Message;
import net.rhizome.swarm.wire.MessageCodec;
import net.rhizome.swarm.wire.WireException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One torrent in a {@link Swarm}: metadata exchange for magnet links, piece picking, Merkle
 * verification of every block, storage, choking and peer exchange. Every block is checked against
 * its leaf hash as it arrives when the leaf is known (fetched per piece with a BEP 52 hash request),
 * otherwise the whole piece is checked against the piece layer before anything is written.
 *
 * <p>A session may want only the first bytes of the torrent ({@link #want}): it then downloads just the pieces
 * holding them, and never completes unless those are all the pieces.
 */
public final class TorrentSession {
    private static final Logger log = LoggerFactory.getLogger(TorrentSession.class);
    private static final int LAYER_CHUNK = 512;
    private static final long LAYER_RETRY_NANOS = 5_000_000_000L;
    /** One digest per reader thread: MessageDigest.getInstance per 16 KiB block costs more than the hashing. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Hashes::sha256Digest);

    private final Swarm swarm;
    private final byte[] infoHash;
    private final byte[] infoHashV1;
    private final Path dataDir;
    private final Path resumeFile;
    private final CompletableFuture<TorrentSession> completion = new CompletableFuture<>();
    private final List<PeerConnection> peers = new CopyOnWriteArrayList<>();
    private final Set<String> bannedIds = new HashSet<>();
    private final Set<String> bannedHosts = new HashSet<>();
    private final Set<PeerAddress> known = new HashSet<>();
    private final AtomicLong downloaded = new AtomicLong();
    private final AtomicLong uploaded = new AtomicLong();
    private final Map<String, Long> layerRequests = new HashMap<>();
    private final Set<Integer> blockHashesAsked = new HashSet<>();
    private final Map<PeerConnection, Set<PeerAddress>> pexSent = new HashMap<>();
    /** Callers of {@link #want} waiting for their first bytes, by byte count. */
    private final List<Map.Entry<Long, CompletableFuture<TorrentSession>>> prefixWaits = new ArrayList<>();
    private long wantedBytes;

    private InfoDict info;
    private Storage storage;
    private FileHashTree[] trees;
    private BitSet have;
    private PiecePicker picker;
    private byte[] metadata;
    private BitSet metadataGot;
    private final Set<PeerConnection> metadataFrom = new HashSet<>();
    private volatile String error;
    private volatile boolean stopped;
    private boolean dirty;
    private long lastResumeNanos = System.nanoTime();
    private long lastChokeNanos;
    private long lastPexNanos = System.nanoTime();
    private long lastKeepAliveNanos = System.nanoTime();
    private int chokeRound;
    private long lastDownloaded;
    private long lastUploaded;
    private long downloadRate;
    private long uploadRate;
    private long lastRateNanos = System.nanoTime();

    TorrentSession(Swarm swarm, byte[] infoHash, byte[] infoHashV1, Path dataDir, Path resumeFile, long wantedBytes) {
        this.swarm = swarm;
        this.wantedBytes = wantedBytes;
        this.infoHash = infoHash.clone();
        this.infoHashV1 = infoHashV1 == null ? null : infoHashV1.clone();
        this.dataDir = dataDir;
        this.resumeFile = resumeFile;
    }

    // ---- set-up -------------------------------------------------------------------------------

    /** Opens storage for a known info dictionary; restores or re-checks what is on disk. */
    synchronized void init(InfoDict parsed, Metainfo full, List<byte[]> leaves) {
        this.info = parsed;
        this.storage = Storage.open(dataDir, parsed);
        this.trees = new FileHashTree[parsed.files().size()];
        for (int i = 0; i < trees.length; i++) {
            FileEntry f = parsed.files().get(i);
            if (f.length() == 0) {
                continue;
            }
            trees[i] = new FileHashTree(f, parsed.pieceLength());
            if (full != null && full.pieceLayer(i) != null) {
                trees[i].setPieceLayer(full.pieceLayer(i));
            }
        }
        this.have = new BitSet(parsed.pieceCount());
        if (leaves != null) {
            adoptLeaves(leaves);
        } else if (resumeFile != null) {
            ResumeState.load(resumeFile, infoHash, parsed.pieceCount()).ifPresent(have::or);
        }
        this.picker = new PiecePicker(parsed, have, piecesHolding(wantedBytes));
        if (leaves != null) {
            saveResume();
        }
        for (PeerConnection c : peers) {
            applyPendingBitfield(c);
        }
        if (complete()) {
            completion.complete(this);
        }
        wakePrefixWaits();
    }

    /** For a torrent we just created from these very files: all pieces are verified by construction. */
    private void adoptLeaves(List<byte[]> leaves) {
        for (int i = 0; i < trees.length; i++) {
            FileEntry f = info.files().get(i);
            if (trees[i] == null) {
                continue;
            }
            int per = 1 << trees[i].pieceHeight();
            byte[] all = leaves.get(i);
            for (int p = 0; p < f.pieceCount(info.pieceLength()); p++) {
                int from = p * per * Merkle.HASH;
                int to = Math.min(all.length, from + per * Merkle.HASH);
                if (!trees[i].offerPieceLeaves(p, Arrays.copyOfRange(all, from, to))) {
                    throw new IllegalStateException("block hashes of '" + f.displayPath() + "' do not match its root");
                }
                have.set(f.firstPiece() + p);
            }
        }
    }

    /** Hashes every piece present on disk (no resume state) and keeps those that verify. */
    void recheck() {
        InfoDict i;
        synchronized (this) {
            i = info;
        }
        for (int p = 0; p < i.pieceCount(); p++) {
            if (have.get(p) || !verifiable(p)) {
                continue;
            }
            byte[] data;
            try {
                data = storage.read(p, 0, i.pieceSize(p));
            } catch (RuntimeException e) {
                continue;
            }
            if (tree(p).offerPieceLeaves(pieceInFile(p), leavesOf(data))) {
                synchronized (this) {
                    have.set(p);
                    dirty = true;
                }
            }
        }
        synchronized (this) {
            if (complete()) {
                saveResume();
                completion.complete(this);
            }
            wakePrefixWaits();
        }
    }

    // ---- public API ---------------------------------------------------------------------------

    public String id() {
        return Hex.encode(infoHash);
    }

    public byte[] infoHash() {
        return infoHash.clone();
    }

    /** The 20 bytes used in handshakes and the DHT: the truncated v2 info-hash (BEP 52). */
    public byte[] handshakeHash() {
        return Arrays.copyOf(infoHash, 20);
    }

    boolean matches(byte[] hash20) {
        return Arrays.equals(hash20, handshakeHash()) || infoHashV1 != null && Arrays.equals(hash20, infoHashV1);
    }

    /** Completes when every piece is verified and on disk; fails if the torrent cannot be stored. */
    public CompletableFuture<TorrentSession> completion() {
        return completion;
    }

    /**
     * Completes once the pieces holding the torrent's first {@code bytes} bytes (a single file's prefix) are
     * verified and on disk, downloading them if this session wanted fewer; {@code Long.MAX_VALUE} wants it all.
     */
    public CompletableFuture<TorrentSession> want(long bytes) {
        CompletableFuture<TorrentSession> done = new CompletableFuture<>();
        synchronized (this) {
            if (stopped || error != null) {
                done.completeExceptionally(new IllegalStateException("torrent " + id() + " is " + (stopped ? "stopped" : "failed: " + error)));
                return done;
            }
            wantedBytes = Math.max(wantedBytes, bytes);
            prefixWaits.add(Map.entry(bytes, done));
            if (info != null) {
                picker.want(piecesHolding(wantedBytes));
                wakePrefixWaits();
            }
        }
        peers.forEach(this::interestAndFill);
        return done;
    }

    /** Whether this session wants only some of the torrent's pieces (and lacks some of the rest). */
    public synchronized boolean partial() {
        return info == null ? wantedBytes < Long.MAX_VALUE : !complete() && piecesHolding(wantedBytes) < info.pieceCount();
    }

    /** Whether every wanted piece is verified: the whole torrent, or the first bytes asked for. */
    synchronized boolean hasWanted() {
        return info != null && have.nextClearBit(0) >= piecesHolding(wantedBytes);
    }

    /** How many leading pieces hold the first {@code bytes} bytes of the torrent's files, laid end to end. */
    private int piecesHolding(long bytes) {
        if (bytes >= info.totalLength()) {
            return info.pieceCount();
        }
        long covered = 0;
        int p = 0;
        while (p < info.pieceCount() && covered < bytes) {
            covered += info.pieceSize(p++);
        }
        return p;
    }

    /** Completes the {@link #want} futures whose pieces are all here. Caller holds the lock. */
    private void wakePrefixWaits() {
        int verified = have.nextClearBit(0);
        prefixWaits.removeIf(w -> {
            boolean done = verified >= piecesHolding(w.getKey());
            if (done) {
                w.getValue().complete(this);
            }
            return done;
        });
    }

    private synchronized void failPrefixWaits(String why) {
        prefixWaits.forEach(w -> w.getValue().completeExceptionally(new IllegalStateException(why)));
        prefixWaits.clear();
    }

    public synchronized InfoDict info() {
        return info;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The files on disk (known once the metadata is). */
    public synchronized List<Path> files() {
        return storage == null ? List.of() : storage.paths();
    }

    /** The full torrent (info plus piece layers) once all piece layers are known, else null. */
    public synchronized Metainfo metainfo() {
        if (info == null) {
            return null;
        }
        List<byte[]> layers = new ArrayList<>();
        for (int i = 0; i < trees.length; i++) {
            FileEntry f = info.files().get(i);
            if (trees[i] == null || f.length() <= info.pieceLength()) {
                layers.add(null);
                continue;
            }
            if (!trees[i].hasPieceLayer()) {
                return null;
            }
            int count = f.pieceCount(info.pieceLength());
            byte[] layer = new byte[count * Merkle.HASH];
            for (int p = 0; p < count; p++) {
                System.arraycopy(trees[i].node(trees[i].pieceHeight(), p), 0, layer, p * Merkle.HASH, Merkle.HASH);
            }
            layers.add(layer);
        }
        return Metainfo.of(info, layers);
    }

    public void addPeer(PeerAddress address) {
        synchronized (this) {
            if (bannedHosts.contains(address.toString())) {
                return;
            }
            known.add(address);
        }
        swarm.connect(this, address);
    }

    public synchronized Set<String> bannedPeers() {
        return Set.copyOf(bannedHosts);
    }

    /** Bytes uploaded to / downloaded from each connected peer, keyed by its address. */
    public Map<String, long[]> peerTraffic() {
        Map<String, long[]> m = new HashMap<>();
        for (PeerConnection c : peers) {
            m.put(c.toString(), new long[] {c.downloaded.get(), c.uploaded.get()});
        }
        return m;
    }

    public long uploadedBytes() {
        return uploaded.get();
    }

    public long downloadedBytes() {
        return downloaded.get();
    }

    public synchronized TorrentStats stats() {
        TorrentStats.State state;
        if (stopped) {
            state = TorrentStats.State.STOPPED;
        } else if (error != null) {
            state = TorrentStats.State.FAILED;
        } else if (info == null) {
            state = TorrentStats.State.METADATA;
        } else {
            state = complete() ? TorrentStats.State.SEEDING : partial() ? TorrentStats.State.PARTIAL : TorrentStats.State.DOWNLOADING;
        }
        long total = info == null ? 0 : info.totalLength();
        long verified = 0;
        if (info != null) {
            for (int p = have.nextSetBit(0); p >= 0; p = have.nextSetBit(p + 1)) {
                verified += info.pieceSize(p);
            }
        }
        return new TorrentStats(id(), info == null ? null : info.name(), state, total, verified,
                have == null ? 0 : have.cardinality(), info == null ? 0 : info.pieceCount(),
                (int) peers.stream().filter(c -> !c.isClosed()).count(), downloaded.get(), uploaded.get(),
                downloadRate, uploadRate, bannedHosts.size(), error);
    }

    /** Disconnects all peers and saves resume state. */
    public void stop() {
        stopped = true;
        for (PeerConnection c : peers) {
            c.close();
        }
        synchronized (this) {
            saveResume();
            if (storage != null) {
                storage.close();
            }
        }
        completion.completeExceptionally(new IllegalStateException("torrent " + id() + " was stopped"));
        failPrefixWaits("torrent " + id() + " was stopped");
    }

    void fail(String message) {
        error = message;
        completion.completeExceptionally(new IllegalStateException(message));
        failPrefixWaits(message);
    }

    // ---- connections --------------------------------------------------------------------------

    /**
     * Whether a connection to the peer of {@code hs} may join. When two peers dial each other at
     * once (both hear of the other in the same PEX round), each side would otherwise keep its own
     * dial and refuse the other's, closing both; neither retries an address it knows. Both sides
     * keep the connection opened by the lower peer id instead.
     */
    synchronized boolean admits(Handshake hs, PeerAddress remote, boolean outgoing, byte[] ourId) {
        String idHex = Hex.encode(hs.peerId());
        if (stopped || bannedIds.contains(idHex) || bannedHosts.contains(remote.toString())) {
            return false;
        }
        PeerConnection existing = peers.stream().filter(c -> !c.isClosed() && c.peerIdHex().equals(idHex)).findFirst().orElse(null);
        if (existing == null) {
            return peers.size() < swarm.config().maxPeersPerTorrent();
        }
        if (existing.outgoing == outgoing) {
            return false;
        }
        byte[] opener = outgoing ? ourId : hs.peerId(), other = outgoing ? hs.peerId() : ourId;
        if (Arrays.compareUnsigned(opener, other) < 0) {
            existing.close();
            return true;
        }
        return false;
    }

    void attach(PeerConnection c) {
        List<Message> hello = new ArrayList<>();
        synchronized (this) {
            peers.add(c);
            if (info == null) {
                if (c.handshake.supportsFast()) {
                    hello.add(new Message.HaveNone());
                }
            } else if (complete() && c.handshake.supportsFast()) {
                hello.add(new Message.HaveAll());
            } else if (!have.isEmpty()) {
                hello.add(new Message.Bitfield(bitfield()));
            } else if (c.handshake.supportsFast()) {
                hello.add(new Message.HaveNone());
            }
            if (c.handshake.supportsExtensions()) {
                hello.add(new Message.Extended(0, Extensions.hello(info == null ? 0 : info.rawLength(), swarm.port())));
            }
        }
        c.startWriter();
        c.send(hello);
        Thread.ofVirtual().name("swarm-read-" + c.remote).start(() -> readLoop(c));
        Thread.ofVirtual().name("swarm-upload-" + c.remote).start(() -> uploadLoop(c));
    }

    private void readLoop(PeerConnection c) {
        String reason = "closed";
        try {
            while (!c.isClosed()) {
                Message m = c.read();
                if (m instanceof Message.Piece p) {
                    swarm.downloadLimiter().acquire(p.block().length);
                }
                handle(c, m);
            }
        } catch (EOFException | SocketException e) {
            reason = "disconnected";
        } catch (WireException | MetainfoException e) {
            reason = "protocol error: " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            reason = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            detach(c, reason);
        }
    }

    private void detach(PeerConnection c, String reason) {
        c.close();
        List<PeerConnection> refill;
        synchronized (this) {
            if (!peers.remove(c)) {
                return;
            }
            pexSent.remove(c);
            metadataFrom.remove(c);
            if (picker != null) {
                picker.release(c);
                picker.peerGone(c.has);
            }
            c.requested.clear();
            refill = List.copyOf(peers);
        }
        log.debug("{}: peer {} left: {}", shortId(), c, reason);
        refill.forEach(this::fillAndSend);
    }

    private void uploadLoop(PeerConnection c) {
        try {
            while (!c.isClosed()) {
                Message.Request r = c.uploads.take();
                if (r.piece() < 0) {
                    return;
                }
                boolean choked;
                synchronized (this) {
                    choked = c.amChoking;
                }
                if (choked) {
                    if (c.handshake.supportsFast()) {
                        c.send(new Message.RejectRequest(r.piece(), r.offset(), r.length()));
                    }
                    continue;
                }
                byte[] frame = readForUpload(c, r);
                swarm.uploadLimiter().acquire(r.length());
                c.sendBlock(frame);
                c.uploaded.addAndGet(r.length());
                uploaded.addAndGet(r.length());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("{}: upload to {} failed: {}", shortId(), c, e.toString());
            c.close();
        }
    }

    private static final int READ_AHEAD = 256 * 1024;

    /**
     * The piece message frame for a requested block, zero-padded past the end of the file, read
     * through a per-peer read-ahead chunk.
     */
    private byte[] readForUpload(PeerConnection c, Message.Request r) {
        int size = info.pieceSize(r.piece());
        int present = Math.max(0, Math.min(r.length(), size - r.offset()));
        if (c.cached == null || c.cachedPiece != r.piece() || r.offset() < c.cachedOffset
                || r.offset() + present > c.cachedOffset + c.cached.length) {
            int start = r.offset() - r.offset() % Merkle.BLOCK;
            c.cached = storage.read(r.piece(), start, Math.min(READ_AHEAD, size - start));
            c.cachedPiece = r.piece();
            c.cachedOffset = start;
        }
        return MessageCodec.pieceFrame(r.piece(), r.offset(), c.cached, r.offset() - c.cachedOffset, present, r.length());
    }

    // ---- message handling ---------------------------------------------------------------------

    private void handle(PeerConnection c, Message m) {
        switch (m) {
            case Message.KeepAlive k -> { }
            case Message.Choke x -> {
                synchronized (this) {
                    c.peerChoking = true;
                    if (picker != null) {
                        picker.release(c);
                    }
                    c.requested.clear();
                }
            }
            case Message.Unchoke x -> {
                synchronized (this) {
                    c.peerChoking = false;
                }
                fillAndSend(c);
            }
            case Message.Interested x -> {
                boolean unchoke;
                synchronized (this) {
                    c.peerInterested = true;
                    long open = peers.stream().filter(p -> !p.amChoking).count();
                    unchoke = c.amChoking && open < swarm.config().uploadSlots() + 1;
                    if (unchoke) {
                        c.amChoking = false;
                    }
                }
                if (unchoke) {
                    c.send(new Message.Unchoke());
                }
            }
            case Message.NotInterested x -> {
                synchronized (this) {
                    c.peerInterested = false;
                }
            }
            case Message.Have h -> onHave(c, h.piece());
            case Message.Bitfield b -> onBitfield(c, b.bits());
            case Message.HaveAll x -> {
                synchronized (this) {
                    c.seed = true;
                    if (info == null) {
                        return;
                    }
                    BitSet all = new BitSet();
                    all.set(0, info.pieceCount());
                    picker.peerGone(c.has);
                    c.has = all;
                    picker.peerHas(all);
                }
                interestAndFill(c);
            }
            case Message.HaveNone x -> { }
            case Message.Request r -> onRequest(c, r);
            case Message.Piece p -> onBlock(c, p);
            case Message.Cancel x -> c.uploads.remove(new Message.Request(x.piece(), x.offset(), x.length()));
            case Message.RejectRequest r -> {
                synchronized (this) {
                    PiecePicker.Block b = new PiecePicker.Block(r.piece(), r.offset(), r.length());
                    if (c.requested.remove(b) && picker != null) {
                        picker.release(c, b);
                    }
                }
            }
            case Message.Extended e -> onExtended(c, e);
            case Message.HashRequest h -> onHashRequest(c, h);
            case Message.Hashes h -> onHashes(c, h);
            case Message.HashReject h -> {
                synchronized (this) {
                    layerRequests.remove(layerKey(h.piecesRoot(), h.index()));
                }
            }
            case Message.Port x -> { }
            case Message.SuggestPiece x -> { }
            case Message.AllowedFast x -> { }
            case Message.Unknown x -> { }
        }
    }

    private void onHave(PeerConnection c, int piece) {
        synchronized (this) {
            if (info == null) {
                c.has.set(piece);
                if (piece > Extensions.MAX_METADATA * 8) {
                    throw new WireException("have names piece " + piece + " before metadata is known");
                }
                return;
            }
            if (piece >= info.pieceCount()) {
                throw new WireException("have names piece " + piece + " of " + info.pieceCount());
            }
            if (!c.has.get(piece)) {
                c.has.set(piece);
                picker.peerHas(piece);
            }
            if (complete() && c.has.cardinality() == info.pieceCount()) {
                c.seed = true;
            }
        }
        interestAndFill(c);
    }

    private void onBitfield(PeerConnection c, byte[] bits) {
        synchronized (this) {
            if (info == null) {
                c.pendingBitfield = bits;
                return;
            }
            c.has = parseBitfield(bits);
            picker.peerHas(c.has);
        }
        interestAndFill(c);
    }

    private BitSet parseBitfield(byte[] bits) {
        int n = info.pieceCount();
        if (bits.length != (n + 7) / 8) {
            throw new WireException("bitfield has " + bits.length + " bytes, expected " + (n + 7) / 8);
        }
        BitSet b = new BitSet(n);
        for (int i = 0; i < bits.length * 8; i++) {
            if ((bits[i >> 3] & (0x80 >> (i & 7))) != 0) {
                if (i >= n) {
                    throw new WireException("bitfield sets spare bit " + i);
                }
                b.set(i);
            }
        }
        return b;
    }

    private byte[] bitfield() {
        byte[] bits = new byte[(info.pieceCount() + 7) / 8];
        for (int p = have.nextSetBit(0); p >= 0; p = have.nextSetBit(p + 1)) {
            bits[p >> 3] |= (byte) (0x80 >> (p & 7));
        }
        return bits;
    }

    private void applyPendingBitfield(PeerConnection c) {
        BitSet early = c.has;
        if (c.seed) {
            c.has = new BitSet();
            c.has.set(0, info.pieceCount());
        } else if (c.pendingBitfield != null) {
            try {
                c.has = parseBitfield(c.pendingBitfield);
            } catch (WireException e) {
                c.close();
                return;
            }
            c.has.or(early);
        }
        c.has.clear(info.pieceCount(), Math.max(info.pieceCount(), c.has.length()));
        picker.peerHas(c.has);
    }

    private void onRequest(PeerConnection c, Message.Request r) {
        boolean reject;
        synchronized (this) {
            if (info == null) {
                throw new WireException("request before we have the metadata");
            }
            // libtorrent treats the tail of a v2 file's last piece as padding and asks for whole 16 KiB blocks
            if (r.piece() >= info.pieceCount() || r.offset() < 0 || r.length() <= 0 || r.length() > Merkle.BLOCK
                    || (long) r.offset() + r.length() > Merkle.blocks(info.pieceSize(r.piece())) * Merkle.BLOCK) {
                throw new WireException("out-of-range request: piece " + r.piece() + " offset " + r.offset() + " length " + r.length());
            }
            reject = c.amChoking || !have.get(r.piece());
            if (!reject && c.uploads.size() >= PeerConnection.MAX_QUEUED_REQUESTS) {
                throw new WireException("more than " + PeerConnection.MAX_QUEUED_REQUESTS + " requests queued");
            }
            if (!reject) {
                c.uploads.add(r);
            }
        }
        if (reject && c.handshake.supportsFast()) {
            c.send(new Message.RejectRequest(r.piece(), r.offset(), r.length()));
        }
    }

    private void onBlock(PeerConnection c, Message.Piece m) {
        List<Runnable> after = new ArrayList<>();
        byte[] leaf = SHA256.get().digest(m.block());
        synchronized (this) {
            if (info == null) {
                throw new WireException("block before metadata");
            }
            PiecePicker.Block key = new PiecePicker.Block(m.piece(), m.offset(), m.block().length);
            if (!c.requested.remove(key)) {
                return;
            }
            c.lastBlockNanos = System.nanoTime();
            c.snubbed = false;
            c.downloaded.addAndGet(m.block().length);
            downloaded.addAndGet(m.block().length);
            PiecePicker.Partial p = picker.partial(m.piece());
            int b = key.index();
            if (p == null || p.received.get(b)) {
                picker.release(c, key);
                after.add(() -> fillAndSend(c));
            } else {
                byte[] expected = tree(m.piece()).leaf(blockInFile(m.piece(), b));
                if (expected != null && !Arrays.equals(expected, leaf)) {
                    picker.release(c, key);
                    ban(c, "block " + b + " of piece " + m.piece() + " fails its Merkle check");
                    return;
                }
                p.data[b] = m.block();
                p.markReceived(b);
                p.leaves[b] = leaf;
                p.senders[b] = c;
                for (Object other : p.requesters.get(b)) {
                    if (other != c && other instanceof PeerConnection o) {
                        o.requested.remove(key);
                        after.add(() -> o.send(new Message.Cancel(key.piece(), key.offset(), key.length())));
                    }
                }
                p.requesters.get(b).clear();
                if (p.complete()) {
                    after.addAll(completePiece(p));
                }
                after.add(() -> fillAndSend(c));
            }
        }
        after.forEach(Runnable::run);
    }

    /** Checks a fully received piece against the tree; writes it or works out whom to blame. Caller holds the lock. */
    private List<Runnable> completePiece(PiecePicker.Partial p) {
        picker.removePartial(p.piece);
        byte[] leaves = new byte[p.blocks * Merkle.HASH];
        for (int b = 0; b < p.blocks; b++) {
            System.arraycopy(p.leaves[b], 0, leaves, b * Merkle.HASH, Merkle.HASH);
        }
        if (!tree(p.piece).offerPieceLeaves(pieceInFile(p.piece), leaves)) {
            Set<Object> senders = new HashSet<>(Arrays.asList(p.senders));
            if (senders.size() == 1 && senders.iterator().next() instanceof PeerConnection only) {
                ban(only, "piece " + p.piece + " fails its Merkle check");
            } else {
                picker.markExclusive(p.piece);
            }
            return List.of();
        }
        storage.writePiece(p.piece, p.data);
        have.set(p.piece);
        dirty = true;
        wakePrefixWaits();
        List<PeerConnection> all = List.copyOf(peers);
        List<Runnable> after = new ArrayList<>();
        after.add(() -> all.forEach(o -> o.send(new Message.Have(p.piece))));
        if (complete()) {
            saveResume();
            completion.complete(this);
            log.info("{}: download complete, {} bytes", shortId(), info.totalLength());
            after.add(() -> all.forEach(this::updateInterest));
        }
        return after;
    }

    private void ban(PeerConnection c, String why) {
        log.warn("{}: banning peer {}: {}", shortId(), c, why);
        bannedIds.add(c.peerIdHex());
        bannedHosts.add(c.remote.toString());
        if (c.listenAddress() != null) {
            bannedHosts.add(c.listenAddress().toString());
        }
        if (picker != null) {
            picker.release(c);
        }
        c.requested.clear();
        c.close();
    }

    private void interestAndFill(PeerConnection c) {
        updateInterest(c);
        fillAndSend(c);
    }

    private void updateInterest(PeerConnection c) {
        Message msg = null;
        synchronized (this) {
            if (info == null) {
                return;
            }
            boolean want = !complete() && picker.wants(c.has);
            if (want != c.amInterested) {
                c.amInterested = want;
                msg = want ? new Message.Interested() : new Message.NotInterested();
            }
            if (complete() && c.seed) {
                c.close();
                return;
            }
        }
        if (msg != null) {
            c.send(msg);
        }
    }

    /** Tops up {@code c}'s request pipeline. */
    void fillAndSend(PeerConnection c) {
        List<Message> out = new ArrayList<>();
        synchronized (this) {
            if (info == null || c.isClosed() || c.peerChoking || !c.amInterested || complete()) {
                return;
            }
            int depth = c.snubbed ? 1 : swarm.config().requestQueue();
            // refill in batches: one write for many requests instead of one per arriving block
            if (c.requested.size() > depth / 2) {
                return;
            }
            while (c.requested.size() < depth) {
                PiecePicker.Block b = picker.next(c, c.has, this::verifiable);
                if (b == null) {
                    break;
                }
                c.requested.add(b);
                out.add(new Message.Request(b.piece(), b.offset(), b.length()));
                FileHashTree t = tree(b.piece());
                int pif = pieceInFile(b.piece());
                if (t.pieceHeight() > 0 && !t.hasLeaves(pif) && blockHashesAsked.add(b.piece())) {
                    int per = 1 << t.pieceHeight();
                    out.add(new Message.HashRequest(info.fileOf(b.piece()).piecesRoot(), 0, pif * per, per, t.pieceHeight() - 1));
                }
            }
        }
        c.send(out);
    }

    private void onExtended(PeerConnection c, Message.Extended e) {
        if (e.id() == 0) {
            Extensions.Hello hello = Extensions.parseHello(e.payload());
            synchronized (this) {
                c.utMetadata = hello.utMetadata();
                c.utPex = hello.utPex();
                c.metadataSize = hello.metadataSize();
                if (hello.listenPort() > 0) {
                    c.listenPort = hello.listenPort();
                }
            }
            requestMetadata(c);
            requestLayers(c);
        } else if (e.id() == Extensions.UT_METADATA) {
            onMetadata(c, Extensions.parseMetadata(e.payload()));
        } else if (e.id() == Extensions.UT_PEX) {
            for (PeerAddress a : Extensions.parsePexAdded(e.payload())) {
                boolean connect;
                synchronized (this) {
                    // before the metadata arrives too: PEX is sent at once, and an address marked known but
                    // not connected would never be tried again (any peer can also serve the metadata)
                    connect = !bannedHosts.contains(a.toString()) && known.add(a) && (info == null || !complete());
                }
                if (connect) {
                    swarm.connect(this, a);
                }
            }
        }
    }

    private void requestMetadata(PeerConnection c) {
        List<Message> out = new ArrayList<>();
        synchronized (this) {
            if (info != null || c.utMetadata == 0 || c.metadataSize <= 0) {
                return;
            }
            if (metadata == null) {
                metadata = new byte[c.metadataSize];
                metadataGot = new BitSet();
            }
            if (metadata.length != c.metadataSize) {
                return;
            }
            int pieces = (metadata.length + Extensions.METADATA_PIECE - 1) / Extensions.METADATA_PIECE;
            for (int i = metadataGot.nextClearBit(0); i < pieces; i = metadataGot.nextClearBit(i + 1)) {
                out.add(new Message.Extended(c.utMetadata, Extensions.metadataRequest(i)));
            }
        }
        c.send(out);
    }

    private void onMetadata(PeerConnection c, Extensions.MetadataMsg m) {
        switch (m.type()) {
            case 0 -> {
                byte[] raw;
                synchronized (this) {
                    raw = info == null ? null : info.raw();
                }
                int pieces = raw == null ? 0 : (raw.length + Extensions.METADATA_PIECE - 1) / Extensions.METADATA_PIECE;
                if (c.utMetadata == 0) {
                    return;
                }
                c.send(new Message.Extended(c.utMetadata, raw == null || m.piece() >= pieces
                        ? Extensions.metadataReject(m.piece()) : Extensions.metadataData(m.piece(), raw)));
            }
            case 1 -> onMetadataData(c, m);
            default -> { }
        }
    }

    private void onMetadataData(PeerConnection c, Extensions.MetadataMsg m) {
        InfoDict parsed;
        synchronized (this) {
            if (info != null || metadata == null) {
                return;
            }
            int pieces = (metadata.length + Extensions.METADATA_PIECE - 1) / Extensions.METADATA_PIECE;
            int expected = m.piece() < pieces ? Math.min(Extensions.METADATA_PIECE, metadata.length - m.piece() * Extensions.METADATA_PIECE) : -1;
            if (m.totalSize() != metadata.length || expected != m.data().length) {
                throw new WireException("metadata piece " + m.piece() + " has the wrong size");
            }
            System.arraycopy(m.data(), 0, metadata, m.piece() * Extensions.METADATA_PIECE, m.data().length);
            metadataGot.set(m.piece());
            metadataFrom.add(c);
            if (metadataGot.cardinality() < pieces) {
                return;
            }
            byte[] raw = metadata;
            metadata = null;
            if (!Arrays.equals(Hashes.sha256(raw), infoHash)) {
                if (metadataFrom.size() == 1) {
                    ban(c, "sent metadata that does not match the info-hash");
                }
                metadataFrom.clear();
                return;
            }
            parsed = InfoDict.parse(raw);
        }
        try {
            init(parsed, null, null);
        } catch (RuntimeException e) {
            fail("cannot store " + parsed.name() + ": " + e.getMessage());
            stop();
            return;
        }
        log.info("{}: metadata received: {} ({} bytes, {} pieces)", shortId(), parsed.name(), parsed.totalLength(), parsed.pieceCount());
        for (PeerConnection p : peers) {
            requestLayers(p);
            interestAndFill(p);
        }
    }

    /** Asks {@code c} for piece-layer hashes we still lack (magnet downloads), 512 at a time. */
    private void requestLayers(PeerConnection c) {
        List<Message> out = new ArrayList<>();
        synchronized (this) {
            if (info == null || complete()) {
                return;
            }
            long now = System.nanoTime();
            for (int i = 0; i < trees.length; i++) {
                FileHashTree t = trees[i];
                FileEntry f = info.files().get(i);
                if (t == null || f.length() <= info.pieceLength() || t.hasPieceLayer()) {
                    continue;
                }
                int h = t.pieceHeight();
                int width = t.width(h);
                int count = Math.min(LAYER_CHUNK, width);
                for (int index = 0; index < f.pieceCount(info.pieceLength()); index += count) {
                    if (t.known(h, index) && t.known(h, index + count - 1)) {
                        continue;
                    }
                    String key = layerKey(f.piecesRoot(), index);
                    Long last = layerRequests.get(key);
                    if (last != null && now - last < LAYER_RETRY_NANOS) {
                        continue;
                    }
                    layerRequests.put(key, now);
                    out.add(new Message.HashRequest(f.piecesRoot(), h, index, count, t.height() - h - 1));
                }
            }
        }
        c.send(out);
    }

    private static String layerKey(byte[] root, int index) {
        return Hex.encode(root) + ":" + index;
    }

    private void onHashRequest(PeerConnection c, Message.HashRequest r) {
        int file = fileByRoot(r.piecesRoot());
        Message reply = new Message.HashReject(r.piecesRoot(), r.base(), r.index(), r.count(), r.proofLayers());
        if (file >= 0 && r.count() > 0 && r.count() <= 8192) {
            FileHashTree t = trees[file];
            if (r.base() == 0) {
                fillLeavesFromDisk(file, r.index(), r.count());
            }
            var hashes = t.hashes(r.base(), r.index(), r.count(), r.proofLayers());
            if (hashes.isPresent()) {
                reply = new Message.Hashes(r.piecesRoot(), r.base(), r.index(), r.count(), r.proofLayers(), hashes.get());
            }
        }
        c.send(reply);
    }

    /** Computes block hashes for pieces we have whose leaves are not yet in the tree, so we can serve them. */
    private void fillLeavesFromDisk(int file, int firstLeaf, int count) {
        FileHashTree t = trees[file];
        FileEntry f;
        int per;
        synchronized (this) {
            f = info.files().get(file);
            per = 1 << t.pieceHeight();
        }
        int pieces = f.pieceCount(info.pieceLength());
        for (int pif = Math.max(0, firstLeaf / per); pif < pieces && (long) pif * per < (long) firstLeaf + count; pif++) {
            int piece = f.firstPiece() + pif;
            boolean haveIt;
            synchronized (this) {
                haveIt = have.get(piece);
            }
            if (haveIt && !t.hasLeaves(pif)) {
                t.offerPieceLeaves(pif, leavesOf(storage.read(piece, 0, info.pieceSize(piece))));
            }
        }
    }

    private void onHashes(PeerConnection c, Message.Hashes h) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            int file = fileByRoot(h.piecesRoot());
            if (file < 0) {
                return;
            }
            layerRequests.remove(layerKey(h.piecesRoot(), h.index()));
            FileHashTree t = trees[file];
            if (!t.offerHashes(h.base(), h.index(), h.count(), h.proofLayers(), h.hashes())) {
                ban(c, "sent hashes that do not prove against the pieces root");
                return;
            }
            if (h.base() == 0) {
                FileEntry f = info.files().get(file);
                int per = 1 << t.pieceHeight();
                int piece = f.firstPiece() + h.index() / per;
                PiecePicker.Partial p = picker.partial(piece);
                if (p != null) {
                    for (int b = p.received.nextSetBit(0); b >= 0; b = p.received.nextSetBit(b + 1)) {
                        byte[] expected = t.leaf(blockInFile(piece, b));
                        if (expected != null && !Arrays.equals(expected, p.leaves[b])) {
                            p.unreceive(b);
                            if (p.senders[b] instanceof PeerConnection bad) {
                                ban(bad, "block " + b + " of piece " + piece + " fails its Merkle check");
                            }
                        }
                    }
                    if (p.complete()) {
                        after.addAll(completePiece(p));
                    }
                }
            }
            after.add(() -> peers.forEach(this::fillAndSend));
        }
        after.forEach(Runnable::run);
    }

    // ---- periodic work ------------------------------------------------------------------------

    /** Called about once a second by the swarm: rates, snubbing, choking, PEX, resume state. */
    void tick() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            double secs = Math.max(0.001, (now - lastRateNanos) / 1e9);
            lastRateNanos = now;
            downloadRate = (long) ((downloaded.get() - lastDownloaded) / secs);
            uploadRate = (long) ((uploaded.get() - lastUploaded) / secs);
            lastDownloaded = downloaded.get();
            lastUploaded = uploaded.get();
            for (PeerConnection c : peers) {
                long d = c.downloaded.get();
                long u = c.uploaded.get();
                c.downloadRate = (long) ((d - c.lastDownloaded) / secs);
                c.uploadRate = (long) ((u - c.lastUploaded) / secs);
                c.lastDownloaded = d;
                c.lastUploaded = u;
                if (!c.requested.isEmpty() && !c.snubbed && now - c.lastBlockNanos > swarm.config().snubTimeout().toNanos()) {
                    c.snubbed = true;
                    List<Message> cancels = c.requested.stream()
                            .map(b -> (Message) new Message.Cancel(b.piece(), b.offset(), b.length())).toList();
                    picker.release(c);
                    c.requested.clear();
                    log.debug("{}: snubbing slow peer {}", shortId(), c);
                    after.add(() -> c.send(cancels));
                    after.add(() -> peers.forEach(this::fillAndSend));
                }
            }
            if (now - lastChokeNanos >= swarm.config().chokeInterval().toNanos()) {
                lastChokeNanos = now;
                after.addAll(rechoke());
            }
            if (dirty && (now - lastResumeNanos > 5_000_000_000L)) {
                saveResume();
            }
            if (now - lastKeepAliveNanos >= 60_000_000_000L) {
                // peers drop connections silent for two minutes
                lastKeepAliveNanos = now;
                List<PeerConnection> all = List.copyOf(peers);
                after.add(() -> all.forEach(c -> c.send(new Message.KeepAlive())));
            }
            boolean newPexPeer = peers.stream().anyMatch(c -> c.utPex != 0 && !pexSent.containsKey(c));
            if (newPexPeer || now - lastPexNanos >= swarm.config().pexInterval().toNanos()) {
                // a new peer hears about the others at once, everyone else once per interval
                if (!newPexPeer) {
                    lastPexNanos = now;
                }
                after.addAll(pex(!newPexPeer));
            }
        }
        after.forEach(Runnable::run);
        for (PeerConnection c : peers) {
            requestLayers(c);
            fillAndSend(c);
        }
    }

    /** Unchokes the best uploaders to us (or, when seeding, the fastest downloaders) plus one optimistic peer. */
    private List<Runnable> rechoke() {
        boolean seeding = info != null && complete();
        List<PeerConnection> interested = peers.stream().filter(c -> c.peerInterested && !c.isClosed())
                .sorted(Comparator.comparingLong((PeerConnection c) -> seeding ? c.uploadRate : c.downloadRate).reversed())
                .toList();
        Set<PeerConnection> unchoke = new HashSet<>(interested.subList(0, Math.min(swarm.config().uploadSlots(), interested.size())));
        List<PeerConnection> rest = interested.stream().filter(c -> !unchoke.contains(c)).toList();
        PeerConnection optimistic = peers.stream().filter(c -> c.optimistic && rest.contains(c)).findFirst().orElse(null);
        if ((chokeRound++ % 3 == 0 || optimistic == null) && !rest.isEmpty()) {
            optimistic = rest.get(ThreadLocalRandom.current().nextInt(rest.size()));
        }
        if (optimistic != null) {
            unchoke.add(optimistic);
        }
        List<Runnable> after = new ArrayList<>();
        for (PeerConnection c : peers) {
            c.optimistic = c == optimistic;
            boolean choke = !unchoke.contains(c);
            if (choke != c.amChoking) {
                c.amChoking = choke;
                List<Message> msgs = new ArrayList<>();
                msgs.add(choke ? new Message.Choke() : new Message.Unchoke());
                if (choke) {
                    // BEP 6: with the fast extension a choke cancels nothing, so queued requests are rejected explicitly
                    List<Message.Request> dropped = new ArrayList<>();
                    c.uploads.drainTo(dropped);
                    if (c.handshake.supportsFast()) {
                        dropped.forEach(r -> msgs.add(new Message.RejectRequest(r.piece(), r.offset(), r.length())));
                    }
                }
                after.add(() -> c.send(msgs));
            }
        }
        return after;
    }

    private List<Runnable> pex(boolean everyone) {
        List<Runnable> after = new ArrayList<>();
        for (PeerConnection c : peers) {
            if (c.utPex == 0 || !everyone && pexSent.containsKey(c)) {
                continue;
            }
            Set<PeerAddress> now = new HashSet<>();
            for (PeerConnection o : peers) {
                if (o != c && o.listenAddress() != null && !o.isClosed()) {
                    now.add(o.listenAddress());
                }
            }
            Set<PeerAddress> before = pexSent.getOrDefault(c, Set.of());
            List<PeerAddress> added = now.stream().filter(a -> !before.contains(a)).limit(Extensions.MAX_PEX_PEERS).toList();
            List<PeerAddress> dropped = before.stream().filter(a -> !now.contains(a)).limit(Extensions.MAX_PEX_PEERS).toList();
            pexSent.put(c, now);
            if (added.isEmpty() && dropped.isEmpty()) {
                continue;
            }
            byte[] payload = Extensions.pex(added, dropped);
            after.add(() -> c.send(new Message.Extended(c.utPex, payload)));
        }
        return after;
    }

    private void saveResume() {
        if (info == null || resumeFile == null || have == null) {
            return;
        }
        try {
            storage.sync();
            ResumeState.save(resumeFile, infoHash, info.pieceCount(), have);
            dirty = false;
            lastResumeNanos = System.nanoTime();
        } catch (IOException | RuntimeException e) {
            log.warn("{}: cannot save resume state: {}", shortId(), e.toString());
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    synchronized boolean complete() {
        return info != null && have.cardinality() == info.pieceCount();
    }

    private boolean verifiable(int piece) {
        FileHashTree t = tree(piece);
        return t.known(t.pieceHeight(), pieceInFile(piece));
    }

    private FileHashTree tree(int piece) {
        return trees[info.fileIndexOf(piece)];
    }

    private int pieceInFile(int piece) {
        return piece - info.fileOf(piece).firstPiece();
    }

    private long blockInFile(int piece, int block) {
        return (long) pieceInFile(piece) * (info.pieceLength() / Merkle.BLOCK) + block;
    }

    private synchronized int fileByRoot(byte[] root) {
        if (info == null) {
            return -1;
        }
        for (int i = 0; i < info.files().size(); i++) {
            byte[] r = info.files().get(i).piecesRoot();
            if (r != null && Arrays.equals(r, root)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] leavesOf(byte[] data) {
        int blocks = (int) Merkle.blocks(data.length);
        byte[] out = new byte[blocks * Merkle.HASH];
        MessageDigest md = SHA256.get();
        for (int b = 0; b < blocks; b++) {
            md.update(data, b * Merkle.BLOCK, Math.min(Merkle.BLOCK, data.length - b * Merkle.BLOCK));
            System.arraycopy(md.digest(), 0, out, b * Merkle.HASH, Merkle.HASH);
        }
        return out;
    }

    private String shortId() {
        return id().substring(0, 12);
    }
}
