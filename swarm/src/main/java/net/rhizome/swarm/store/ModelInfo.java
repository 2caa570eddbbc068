package net.rhizome.swarm.store;

/** One model of the store as shown by {@code model list} and the HTTP API. */
public record ModelInfo(
        String id,
        String name,
        long size,
        String state,
        double progress,
        int peers,
        long downloaded,
        long uploaded,
        double ratio,
        long downloadRate,
        long uploadRate,
        String magnet,
        String error) {}
