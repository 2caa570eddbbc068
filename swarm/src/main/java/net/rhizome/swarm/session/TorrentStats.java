package net.rhizome.swarm.session;

/** A snapshot of one torrent's progress and traffic; rates are bytes per second over the last few seconds. */
public record TorrentStats(
        String id,
        String name,
        State state,
        long totalBytes,
        long verifiedBytes,
        int piecesHave,
        int pieceCount,
        int peers,
        long downloaded,
        long uploaded,
        long downloadRate,
        long uploadRate,
        int bannedPeers,
        String error) {

    /** {@code PARTIAL}: only the torrent's first bytes are wanted ({@link TorrentSession#want}), and not all of it is here. */
    public enum State { METADATA, DOWNLOADING, PARTIAL, SEEDING, FAILED, STOPPED }

    public double progress() {
        return totalBytes == 0 ? 0 : (double) verifiedBytes / totalBytes;
    }
}
