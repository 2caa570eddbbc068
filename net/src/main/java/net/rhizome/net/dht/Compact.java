package net.rhizome.net.dht;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** BEP 5 compact encodings: peer info (IP + port) and node info (id + IP + port), IPv4 and IPv6. */
public final class Compact {
    public static final int PEER4 = 6;
    public static final int PEER6 = 18;
    public static final int NODE4 = NodeId.LENGTH + PEER4;
    public static final int NODE6 = NodeId.LENGTH + PEER6;

    private Compact() {}

    public static byte[] peer(InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        ByteBuffer b = ByteBuffer.allocate(ip.length + 2);
        b.put(ip).putShort((short) address.getPort());
        return b.array();
    }

    /** Decodes one compact peer (6 bytes IPv4, 18 bytes IPv6); port 0 is rejected. */
    public static InetSocketAddress parsePeer(byte[] b) {
        if (b.length != PEER4 && b.length != PEER6) {
            throw new IllegalArgumentException("compact peer must be 6 or 18 bytes, got " + b.length);
        }
        return address(b, 0, b.length - 2);
    }

    public static byte[] nodes(List<NodeInfo> nodes, boolean ipv6) {
        ByteBuffer out = ByteBuffer.allocate(nodes.size() * (ipv6 ? NODE6 : NODE4));
        for (NodeInfo n : nodes) {
            if ((n.address().getAddress() instanceof Inet6Address) == ipv6) {
                out.put(n.id().unsafeBytes()).put(peer(n.address()));
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /** Decodes concatenated compact node infos; entries with port 0 are skipped. */
    public static List<NodeInfo> parseNodes(byte[] b, boolean ipv6) {
        int size = ipv6 ? NODE6 : NODE4;
        if (b.length % size != 0) {
            throw new IllegalArgumentException("compact " + (ipv6 ? "nodes6" : "nodes") + " length " + b.length + " is not a multiple of " + size);
        }
        List<NodeInfo> out = new ArrayList<>(b.length / size);
        for (int off = 0; off < b.length; off += size) {
            InetSocketAddress a = address(b, off + NodeId.LENGTH, size - NodeId.LENGTH - 2);
            if (a.getPort() != 0) {
                out.add(new NodeInfo(NodeId.of(Arrays.copyOfRange(b, off, off + NodeId.LENGTH)), a));
            }
        }
        return out;
    }

    private static InetSocketAddress address(byte[] b, int off, int ipLength) {
        try {
            InetAddress ip = InetAddress.getByAddress(Arrays.copyOfRange(b, off, off + ipLength));
            int port = ((b[off + ipLength] & 0xff) << 8) | (b[off + ipLength + 1] & 0xff);
            return new InetSocketAddress(ip, port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address length " + ipLength, e);
        }
    }
}
