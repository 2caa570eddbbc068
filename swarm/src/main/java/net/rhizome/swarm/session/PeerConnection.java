package net.rhizome.swarm.session;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Semaphore;
import net.rhizome.core.util.Hex;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.wire.Handshake;
import net.rhizome.swarm.wire.Message;
import net.rhizome.swarm.wire.MessageCodec;
import net.rhizome.swarm.wire.WireException;

/**
 * One TCP connection to a peer, after the handshake: a reader (virtual) thread that decodes frames
 * and hands them to the session, an uploader thread that serves queued requests, and the peer's
 * choke/interest state. Fields marked "session lock" are only touched under the session's lock.
 */
final class PeerConnection {
    static final int MAX_QUEUED_REQUESTS = 500;
    private static final int UPLOAD_BUFFER = 1 << 20;
    private static final byte[] POISON = new byte[0];

    final Socket socket;
    final PeerAddress remote;
    final Handshake handshake;
    final boolean outgoing;
    private final DataInputStream in;
    private final OutputStream out;
    /** Frames waiting for the writer thread, so a reader never blocks on a full socket (which could deadlock two peers). */
    private final LinkedBlockingDeque<byte[]> outbox = new LinkedBlockingDeque<>();
    /** Bounds block data queued by the uploader. */
    private final Semaphore uploadBudget = new Semaphore(UPLOAD_BUFFER);
    private final AtomicBoolean closed = new AtomicBoolean();
    final LinkedBlockingDeque<Message.Request> uploads = new LinkedBlockingDeque<>();

    final AtomicLong downloaded = new AtomicLong();
    final AtomicLong uploaded = new AtomicLong();
    long lastDownloaded;
    long lastUploaded;
    long downloadRate;
    long uploadRate;

    // session lock
    boolean amChoking = true;
    boolean amInterested;
    boolean peerChoking = true;
    boolean peerInterested;
    boolean optimistic;
    boolean snubbed;
    boolean seed;
    BitSet has = new BitSet();
    byte[] pendingBitfield;
    final Set<PiecePicker.Block> requested = new HashSet<>();
    long lastBlockNanos = System.nanoTime();
    /** Read-ahead for uploads (uploader thread only): peers ask for a piece's blocks in order. */
    int cachedPiece = -1;
    int cachedOffset;
    byte[] cached;
    int utMetadata;
    int utPex;
    int metadataSize;
    int listenPort;

    PeerConnection(Socket socket, Handshake handshake, boolean outgoing, DataInputStream in) throws IOException {
        this.socket = socket;
        this.handshake = handshake;
        this.outgoing = outgoing;
        this.remote = new PeerAddress(socket.getInetAddress().getHostAddress(), socket.getPort());
        this.in = in;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 256 * 1024);
        this.listenPort = outgoing ? socket.getPort() : 0;
    }

    String peerIdHex() {
        return Hex.encode(handshake.peerId());
    }

    /** The address other peers can reach this peer on, if known (PEX). */
    PeerAddress listenAddress() {
        return listenPort > 0 ? new PeerAddress(remote.host(), listenPort) : null;
    }

    Message read() throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MessageCodec.MAX_FRAME) {
            throw new WireException("peer announced a " + Integer.toUnsignedString(length) + "-byte message, limit " + MessageCodec.MAX_FRAME);
        }
        if (length == 0) {
            return new Message.KeepAlive();
        }
        int id = in.readUnsignedByte();
        if (id == MessageCodec.PIECE) {
            return readPiece(length - 1);
        }
        byte[] frame = new byte[length];
        frame[0] = (byte) id;
        in.readFully(frame, 1, length - 1);
        return MessageCodec.decode(frame);
    }

    /** A piece message read straight into its block array: blocks are most of the bytes, so no frame copy. */
    private Message.Piece readPiece(int payload) throws IOException {
        byte[] block = new byte[MessageCodec.blockLength(payload)];
        int piece = MessageCodec.index(in.readInt(), "piece");
        int offset = in.readInt();
        in.readFully(block);
        return new Message.Piece(piece, offset, block);
    }

    void send(Message m) {
        send(List.of(m));
    }

    /** Queues messages for the writer thread; never blocks. */
    void send(List<? extends Message> messages) {
        if (closed.get()) {
            return;
        }
        for (Message m : messages) {
            outbox.add(MessageCodec.encode(m));
        }
    }

    /**
     * Queues a piece message frame (from {@link MessageCodec#pieceFrame}) for upload, waiting while
     * a megabyte of blocks is already queued.
     */
    void sendBlock(byte[] frame) throws InterruptedException {
        int block = frame.length - MessageCodec.PIECE_HEADER;
        uploadBudget.acquire(block);
        if (closed.get()) {
            uploadBudget.release(block);
            return;
        }
        outbox.add(frame);
    }

    void startWriter() {
        Thread.ofVirtual().name("swarm-write-" + remote).start(() -> {
            try {
                while (!closed.get()) {
                    byte[] frame = outbox.take();
                    if (frame == POISON) {
                        return;
                    }
                    out.write(frame);
                    if (frame.length > MessageCodec.PIECE_HEADER - 4 && frame[4] == MessageCodec.PIECE) {
                        uploadBudget.release(frame.length - MessageCodec.PIECE_HEADER);
                    }
                    if (outbox.isEmpty()) {
                        out.flush();
                    }
                }
            } catch (IOException e) {
                close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    boolean isClosed() {
        return closed.get();
    }

    void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already broken
            }
            uploads.clear();
            uploads.offer(new Message.Request(-1, 0, 0));
            outbox.clear();
            outbox.offer(POISON);
            uploadBudget.release(UPLOAD_BUFFER);
        }
    }

    static DataInputStream input(Socket s) throws IOException {
        return new DataInputStream(new BufferedInputStream(s.getInputStream(), 256 * 1024));
    }

    @Override
    public String toString() {
        return remote + (listenPort > 0 && listenPort != remote.port() ? " (listens on " + listenPort + ")" : "");
    }
}
