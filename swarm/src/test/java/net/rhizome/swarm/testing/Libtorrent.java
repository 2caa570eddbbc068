package net.rhizome.swarm.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import net.rhizome.swarm.bench.LibtorrentPeer;

/** Test guard for the real libtorrent peer ({@link LibtorrentPeer}). */
public final class Libtorrent {
    private Libtorrent() {}

    /** Skips the calling test when libtorrent is missing, unless {@code CI} is set (then it fails). */
    public static void assumeAvailable() {
        boolean ok = LibtorrentPeer.available();
        if (System.getenv("CI") != null && !ok) {
            throw new AssertionError("CI is set but /usr/bin/python3 cannot import libtorrent (install python3-libtorrent)");
        }
        assumeTrue(ok, "python3-libtorrent is not installed for /usr/bin/python3");
    }
}
