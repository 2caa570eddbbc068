package net.rhizome.swarm.metainfo;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.rhizome.core.util.Hex;
import net.rhizome.swarm.PeerAddress;

/**
 * A magnet link for a v2 or hybrid torrent: {@code xt=urn:btmh:1220<sha-256>} (multihash of the v2
 * info-hash), optionally {@code xt=urn:btih:<sha-1>}, a display name and {@code x.pe} peers.
 */
public record Magnet(byte[] infoHashV2, byte[] infoHashV1, String name, List<PeerAddress> peers) {
    private static final int MAX_LENGTH = 8192;

    public Magnet {
        if (infoHashV2 == null || infoHashV2.length != 32) {
            throw new MetainfoException("magnet link needs a 32-byte v2 info-hash");
        }
        if (infoHashV1 != null && infoHashV1.length != 20) {
            throw new MetainfoException("v1 info-hash must be 20 bytes");
        }
        infoHashV2 = infoHashV2.clone();
        infoHashV1 = infoHashV1 == null ? null : infoHashV1.clone();
        peers = List.copyOf(peers);
    }

    public String id() {
        return Hex.encode(infoHashV2);
    }

    public static Magnet parse(String uri) {
        if (uri.length() > MAX_LENGTH) {
            throw new MetainfoException("magnet link is longer than " + MAX_LENGTH + " characters");
        }
        if (!uri.startsWith("magnet:?")) {
            throw new MetainfoException("not a magnet link (must start with 'magnet:?')");
        }
        byte[] v2 = null;
        byte[] v1 = null;
        String name = null;
        List<PeerAddress> peers = new ArrayList<>();
        for (String part : uri.substring(8).split("&")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = part.substring(0, eq);
            String value;
            try {
                value = URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new MetainfoException("magnet parameter '" + key + "' is badly escaped");
            }
            switch (key) {
                case "xt" -> {
                    if (value.startsWith("urn:btmh:")) {
                        String mh = value.substring(9);
                        if (!mh.startsWith("1220") || mh.length() != 68) {
                            throw new MetainfoException("magnet btmh must be a SHA-256 multihash '1220' + 64 hex digits, got '" + mh + "'");
                        }
                        v2 = hex(mh.substring(4), 32, "magnet btmh hash");
                    } else if (value.startsWith("urn:btih:")) {
                        String h = value.substring(9);
                        if (h.length() != 40) {
                            throw new MetainfoException("magnet btih must be 40 hex digits, got " + h.length() + " characters");
                        }
                        v1 = hex(h, 20, "magnet btih hash");
                    }
                }
                case "dn" -> name = value;
                case "x.pe" -> {
                    try {
                        peers.add(PeerAddress.parse(value));
                    } catch (IllegalArgumentException e) {
                        throw new MetainfoException("magnet peer: " + e.getMessage());
                    }
                }
                default -> { }
            }
        }
        if (v2 == null) {
            throw new MetainfoException("magnet link has no 'xt=urn:btmh:1220…' (BitTorrent v2) hash");
        }
        return new Magnet(v2, v1, name, peers);
    }

    private static byte[] hex(String text, int length, String what) {
        try {
            return Hex.decode(text, length, what);
        } catch (IllegalArgumentException e) {
            throw new MetainfoException(e.getMessage());
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("magnet:?xt=urn:btmh:1220").append(Hex.encode(infoHashV2));
        if (infoHashV1 != null) {
            b.append("&xt=urn:btih:").append(Hex.encode(infoHashV1));
        }
        if (name != null) {
            b.append("&dn=").append(URLEncoder.encode(name, StandardCharsets.UTF_8));
        }
        for (PeerAddress p : peers) {
            b.append("&x.pe=").append(URLEncoder.encode(p.toString(), StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    public Magnet withPeers(List<PeerAddress> extra) {
        List<PeerAddress> all = new ArrayList<>(peers);
        all.addAll(extra);
        return new Magnet(infoHashV2, infoHashV1, name, all);
    }
}
