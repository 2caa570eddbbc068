package net.rhizome.swarm.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.metainfo.TorrentBuilder;
import net.rhizome.swarm.wire.Handshake;
import net.rhizome.swarm.wire.Message;
import net.rhizome.swarm.wire.MessageCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeAndBadInputTest {
    @TempDir
    Path dir;
    byte[] data;
    Path src;
    TorrentBuilder.Created torrent;

    @BeforeEach
    void model() throws Exception {
        data = new byte[8_000_000];
        new Random(5).nextBytes(data);
        src = dir.resolve("seed/model.gguf");
        Files.createDirectories(src.getParent());
        Files.write(src, data);
        torrent = TorrentBuilder.create(src, false, 256 * 1024);
    }

    @Test
    void interruptedDownloadResumesFromVerifiedPiecesAfterRestart() throws Exception {
        Path leech = dir.resolve("leech");
        Path resume = dir.resolve("leech.resume");
        try (Swarm seeder = new Swarm(SwarmConfig.loopback().withRates(2_000_000, 0), List.of()).start()) {
            seeder.add(torrent.metainfo(), src.getParent(), null, torrent.leafHashes());
            long firstSession;
            try (Swarm first = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
                TorrentSession s = first.add(torrent.metainfo(), leech, resume, null);
                s.addPeer(new PeerAddress("127.0.0.1", seeder.port()));
                while (s.stats().progress() < 0.4) {
                    Thread.sleep(50);
                }
                firstSession = s.stats().verifiedBytes();
            }
            try (Swarm second = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
                TorrentSession s = second.add(torrent.metainfo(), leech, resume, null);
                assertThat(s.stats().verifiedBytes()).as("restored from the resume file").isGreaterThanOrEqualTo(firstSession);
                s.addPeer(new PeerAddress("127.0.0.1", seeder.port()));
                s.completion().get(60, TimeUnit.SECONDS);
                assertThat(s.downloadedBytes()).isLessThanOrEqualTo(data.length - firstSession + 256 * 1024L);
                assertThat(Files.readAllBytes(s.files().getFirst())).isEqualTo(data);
            }
        }
    }

    @Test
    void outOfRangeRequestAndOversizedMessageCloseTheSession() throws Exception {
        try (Swarm seeder = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
            seeder.add(torrent.metainfo(), src.getParent(), null, torrent.leafHashes());
            int last = torrent.metainfo().info().pieceCount() - 1;
            assertThat(closedAfter(seeder, MessageCodec.encode(new Message.Request(last + 1, 0, 16384)))).isTrue();
            assertThat(closedAfter(seeder, MessageCodec.encode(new Message.Request(0, 256 * 1024, 16384)))).isTrue();
            assertThat(closedAfter(seeder, MessageCodec.encode(new Message.Request(0, 0, 1 << 20)))).isTrue();
            assertThat(closedAfter(seeder, ByteBuffer.allocate(5).putInt(64 << 20).put((byte) 7).array())).isTrue();
            assertThat(closedAfter(seeder, MessageCodec.encode(new Message.Request(0, 0, 16384)))).isFalse();
        }
    }

    /** Connects, handshakes, sends {@code frame} after an Interested, and reports whether the seeder hung up. */
    private boolean closedAfter(Swarm seeder, byte[] frame) throws Exception {
        try (Socket s = new Socket("127.0.0.1", seeder.port())) {
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            out.write(new Handshake(new byte[8], torrent.metainfo().info().truncatedV2(), "-TT0000-badinput0000".getBytes()).encode());
            DataInputStream in = new DataInputStream(s.getInputStream());
            Handshake.read(in);
            out.write(MessageCodec.encode(new Message.Interested()));
            boolean unchoked = false;
            while (!unchoked) {
                byte[] f = new byte[in.readInt()];
                in.readFully(f);
                unchoked = f.length > 0 && MessageCodec.decode(f) instanceof Message.Unchoke;
            }
            out.write(frame);
            out.flush();
            try {
                while (true) {
                    byte[] f = new byte[in.readInt()];
                    in.readFully(f);
                    if (f.length > 0 && MessageCodec.decode(f) instanceof Message.Piece) {
                        return false;
                    }
                }
            } catch (EOFException | SocketException e) {
                return true;
            } catch (IOException timeout) {
                return false;
            }
        }
    }
}
