package net.rhizome.swarm.storage;

/** The store cannot hold or serve a torrent's files (no space, path escapes the store, I/O failure). */
public class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
