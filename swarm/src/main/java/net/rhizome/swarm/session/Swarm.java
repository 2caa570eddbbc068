package net.rhizome.swarm.session;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.PeerSource;
import net.rhizome.swarm.metainfo.InfoDict;
import net.rhizome.swarm.metainfo.Magnet;
import net.rhizome.swarm.metainfo.Metainfo;
import net.rhizome.swarm.wire.Handshake;
import net.rhizome.swarm.wire.WireException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BitTorrent client: one listening socket, any number of torrents, one virtual thread per
 * connection for reading and one for uploading, and a scheduler for choking, snubbing, PEX and
 * peer-source refreshes.
 */
public final class Swarm implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Swarm.class);
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    private final SwarmConfig config;
    private final List<PeerSource> sources;
    private final byte[] peerId = new byte[20];
    private final List<TorrentSession> torrents = new CopyOnWriteArrayList<>();
    private final RateLimiter uploadLimiter;
    private final RateLimiter downloadLimiter;
    private final ScheduledExecutorService scheduler;
    private ServerSocket server;
    private volatile boolean closed;
    private long ticks;

    public Swarm(SwarmConfig config, List<PeerSource> sources) {
        this.config = config;
        this.sources = List.copyOf(sources);
        byte[] prefix = "-RZ0100-".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        new SecureRandom().nextBytes(peerId);
        System.arraycopy(prefix, 0, peerId, 0, prefix.length);
        this.uploadLimiter = new RateLimiter(config.uploadRate());
        this.downloadLimiter = new RateLimiter(config.downloadRate());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("swarm-tick").factory());
    }

    /** Binds the listening socket and starts accepting peers. */
    public Swarm start() throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(config.bindHost()), config.port()), 128);
        Thread.ofVirtual().name("swarm-accept").start(this::acceptLoop);
        scheduler.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    public int port() {
        return server == null ? 0 : server.getLocalPort();
    }

    public SwarmConfig config() {
        return config;
    }

    RateLimiter uploadLimiter() {
        return uploadLimiter;
    }

    RateLimiter downloadLimiter() {
        return downloadLimiter;
    }

    public List<TorrentSession> torrents() {
        return List.copyOf(torrents);
    }

    public Optional<TorrentSession> find(String id) {
        return torrents.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    /**
     * Adds a torrent whose metainfo we have. {@code leaves} are the block hashes from
     * {@link net.rhizome.swarm.metainfo.TorrentBuilder} when the files were just hashed (then it
     * seeds at once); otherwise resume state or a re-check decides what is already there.
     */
    public TorrentSession add(Metainfo metainfo, Path dataDir, Path resumeFile, List<byte[]> leaves) {
        InfoDict info = metainfo.info();
        TorrentSession s = register(new TorrentSession(this, info.infoHashV2(), info.infoHashV1(), dataDir, resumeFile, Long.MAX_VALUE));
        try {
            s.init(info, metainfo, leaves);
            if (leaves == null && !s.complete() && (resumeFile == null || !java.nio.file.Files.exists(resumeFile))) {
                s.recheck();
            }
        } catch (RuntimeException e) {
            torrents.remove(s);
            throw e;
        }
        announce(s);
        return s;
    }

    /** Adds a torrent known only by its magnet link: the info dictionary comes from peers (BEP 9). */
    public TorrentSession add(Magnet magnet, Path dataDir, Path resumeFile) {
        return add(magnet, dataDir, resumeFile, Long.MAX_VALUE);
    }

    /** Like {@link #add(Magnet, Path, Path)}, downloading only the pieces holding the first {@code wantedBytes} bytes. */
    public TorrentSession add(Magnet magnet, Path dataDir, Path resumeFile, long wantedBytes) {
        TorrentSession s = register(new TorrentSession(this, magnet.infoHashV2(), magnet.infoHashV1(), dataDir, resumeFile, wantedBytes));
        magnet.peers().forEach(s::addPeer);
        Thread.ofVirtual().start(() -> querySources(s));
        announce(s);
        return s;
    }

    private TorrentSession register(TorrentSession s) {
        if (find(s.id()).isPresent()) {
            throw new IllegalStateException("torrent " + s.id() + " is already in this swarm");
        }
        torrents.add(s);
        return s;
    }

    public void remove(TorrentSession s) {
        torrents.remove(s);
        s.stop();
    }

    private void announce(TorrentSession s) {
        for (PeerSource src : sources) {
            Thread.ofVirtual().start(() -> {
                try {
                    src.announce(s.handshakeHash(), port());
                } catch (RuntimeException e) {
                    log.debug("announce failed: {}", e.toString());
                }
            });
        }
    }

    private void querySources(TorrentSession s) {
        for (PeerSource src : sources) {
            try {
                src.peers(s.handshakeHash()).forEach(s::addPeer);
            } catch (RuntimeException e) {
                log.debug("peer source failed: {}", e.toString());
            }
        }
    }

    /** Opens an outgoing connection to {@code address} for {@code s} (in the background). */
    void connect(TorrentSession s, PeerAddress address) {
        if (closed) {
            return;
        }
        Thread.ofVirtual().name("swarm-connect-" + address).start(() -> {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(address.socketAddress(), CONNECT_TIMEOUT_MS);
                socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
                DataInputStream in = PeerConnection.input(socket);
                socket.getOutputStream().write(new Handshake(Handshake.ourReserved(), s.handshakeHash(), peerId).encode());
                Handshake theirs = Handshake.read(in);
                if (!s.matches(theirs.infoHash())) {
                    throw new WireException("peer answered with another info-hash");
                }
                finish(s, socket, theirs, true, in);
            } catch (IOException | RuntimeException e) {
                log.debug("connect to {} failed: {}", address, e.toString());
                closeQuietly(socket);
            }
        });
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().name("swarm-incoming").start(() -> incoming(socket));
            } catch (IOException e) {
                if (!closed) {
                    log.warn("accept failed: {}", e.toString());
                }
            }
        }
    }

    private void incoming(Socket socket) {
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            DataInputStream in = PeerConnection.input(socket);
            Handshake theirs = Handshake.read(in);
            TorrentSession s = torrents.stream().filter(t -> t.matches(theirs.infoHash())).findFirst()
                    .orElseThrow(() -> new WireException("unknown info-hash"));
            socket.getOutputStream().write(new Handshake(Handshake.ourReserved(), theirs.infoHash(), peerId).encode());
            finish(s, socket, theirs, false, in);
        } catch (IOException | RuntimeException e) {
            log.debug("incoming connection dropped: {}", e.toString());
            closeQuietly(socket);
        }
    }

    private void finish(TorrentSession s, Socket socket, Handshake theirs, boolean outgoing, DataInputStream in) throws IOException {
        if (Arrays.equals(theirs.peerId(), peerId)) {
            throw new WireException("connected to ourselves");
        }
        PeerConnection c = new PeerConnection(socket, theirs, outgoing, in);
        if (!s.admits(theirs, c.remote, outgoing, peerId)) {
            throw new WireException("peer not admitted (banned, duplicate or too many peers)");
        }
        socket.setSoTimeout(0);
        s.attach(c);
    }

    private void tick() {
        ticks++;
        for (TorrentSession s : torrents) {
            try {
                s.tick();
                if (ticks % 30 == 0 && !s.hasWanted()) {
                    Thread.ofVirtual().start(() -> querySources(s));
                }
            } catch (RuntimeException e) {
                log.warn("tick of {} failed", s.id(), e);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        List<TorrentSession> all = new ArrayList<>(torrents);
        torrents.clear();
        all.forEach(TorrentSession::stop);
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // shutting down
            }
        }
    }
}
