package net.rhizome.node.devnet;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Picks loopback ports that are free for TCP and UDP at the moment of asking (and distinct from each other). */
final class FreePorts {
    private final Set<Integer> handedOut = new HashSet<>();

    int next() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = tcp.getLocalPort();
                if (handedOut.contains(port)) {
                    continue;
                }
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                    handedOut.add(port);
                    return port;
                } catch (IOException udpTaken) {
                    // try another port
                }
            }
        }
        throw new IOException("no free loopback port found after 100 attempts");
    }
}
