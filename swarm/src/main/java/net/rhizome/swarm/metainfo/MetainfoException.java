package net.rhizome.swarm.metainfo;

/** Metainfo (torrent file, info dictionary or magnet link) that is malformed or inconsistent; the message says what is wrong. */
public class MetainfoException extends RuntimeException {
    public MetainfoException(String message) {
        super(message);
    }

    public MetainfoException(String message, Throwable cause) {
        super(message, cause);
    }
}
