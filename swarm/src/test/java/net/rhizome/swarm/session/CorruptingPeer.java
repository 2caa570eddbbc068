package net.rhizome.swarm.session;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import net.rhizome.swarm.metainfo.InfoDict;
import net.rhizome.swarm.metainfo.Merkle;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import net.rhizome.swarm.storage.FileHashTree;
import net.rhizome.swarm.wire.Handshake;
import net.rhizome.swarm.wire.Message;
import net.rhizome.swarm.wire.MessageCodec;

/**
 * A hostile seeder for tests: has every piece, answers hash requests honestly, but flips a byte in
 * every tenth block it uploads.
 */
final class CorruptingPeer implements AutoCloseable {
    private final ServerSocket server;
    private final InfoDict info;
    private final byte[] data;
    private final FileHashTree tree;
    final AtomicInteger blocksSent = new AtomicInteger();
    final AtomicInteger corrupted = new AtomicInteger();

    CorruptingPeer(TorrentBuilder.Created torrent, byte[] data) throws IOException {
        this.info = torrent.metainfo().info();
        this.data = data;
        this.tree = new FileHashTree(info.files().getFirst(), info.pieceLength());
        if (torrent.metainfo().pieceLayer(0) != null) {
            tree.setPieceLayer(torrent.metainfo().pieceLayer(0));
        }
        byte[] leaves = torrent.leafHashes().getFirst();
        int per = 1 << tree.pieceHeight();
        for (int p = 0; p < info.pieceCount(); p++) {
            int from = p * per * Merkle.HASH;
            tree.offerPieceLeaves(p, Arrays.copyOfRange(leaves, from, Math.min(leaves.length, from + per * Merkle.HASH)));
        }
        this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            OutputStream out = s.getOutputStream();
            Handshake theirs = Handshake.read(in);
            byte[] id = "-XX0000-corrupting!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            out.write(new Handshake(new byte[8], theirs.infoHash(), id).encode());
            byte[] bits = new byte[(info.pieceCount() + 7) / 8];
            for (int p = 0; p < info.pieceCount(); p++) {
                bits[p >> 3] |= (byte) (0x80 >> (p & 7));
            }
            out.write(MessageCodec.encode(new Message.Bitfield(bits)));
            out.write(MessageCodec.encode(new Message.Unchoke()));
            while (true) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                switch (MessageCodec.decode(frame)) {
                    case Message.Request r -> {
                        long at = (long) r.piece() * info.pieceLength() + r.offset();
                        byte[] block = Arrays.copyOfRange(data, (int) at, (int) at + r.length());
                        if (blocksSent.incrementAndGet() % 10 == 0) {
                            block[block.length / 2] ^= 0x5a;
                            corrupted.incrementAndGet();
                        }
                        out.write(MessageCodec.encode(new Message.Piece(r.piece(), r.offset(), block)));
                    }
                    case Message.HashRequest h -> out.write(MessageCodec.encode(tree.hashes(h.base(), h.index(), h.count(), h.proofLayers())
                            .<Message>map(b -> new Message.Hashes(h.piecesRoot(), h.base(), h.index(), h.count(), h.proofLayers(), b))
                            .orElse(new Message.HashReject(h.piecesRoot(), h.base(), h.index(), h.count(), h.proofLayers()))));
                    default -> { }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the victim hung up on us: expected once it notices the bad blocks
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
