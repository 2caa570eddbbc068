package net.rhizome.inference.engine;

/** Told how far loading a model has got, in bytes of weights paged in. */
@FunctionalInterface
public interface LoadProgress {
    LoadProgress NONE = (done, total) -> { };

    void update(long bytesDone, long bytesTotal);
}
