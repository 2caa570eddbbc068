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

    public enum State { METADATA, DOWNLOADING, SEEDING, FAILED, STOPPED }

    public double progress() {
        return totalBytes == 0 ? 0 : (double) verifiedBytes / totalBytes;
    }
}
