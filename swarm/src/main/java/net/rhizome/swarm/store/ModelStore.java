package net.rhizome.swarm.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import net.rhizome.swarm.metainfo.Metainfo;
import net.rhizome.swarm.metainfo.TorrentBuilder;

/**
 * The node's model store, {@code DATA_DIR/models/}: one directory per model named by its id (the
 * v2 info-hash in hex) holding {@code model.torrent} (once the metainfo is known), {@code resume}
 * (verified pieces) and {@code data/} (the files, written in place). {@link #resolve} is how the
 * inference engine finds a model by id.
 */
public final class ModelStore {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private final Path root;

    public ModelStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Checks that {@code id} is 64 lower-case hex digits (a v2 info-hash) and returns it. */
    public static String checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("model id must be 64 lower-case hex digits (a BitTorrent v2 info-hash), got '" + id + "'");
        }
        return id;
    }

    public Path dir(String id) {
        return root.resolve(checkId(id));
    }

    public Path dataDir(String id) {
        return dir(id).resolve("data");
    }

    public Path resumeFile(String id) {
        return dir(id).resolve("resume");
    }

    public Path torrentFile(String id) {
        return dir(id).resolve("model.torrent");
    }

    public boolean contains(String id) {
        return Files.isDirectory(dir(id));
    }

    /** The stored metainfo of {@code id}, if known. */
    public Optional<Metainfo> metainfo(String id) throws IOException {
        Path t = torrentFile(id);
        return Files.isRegularFile(t) ? Optional.of(Metainfo.parse(Files.readAllBytes(t))) : Optional.empty();
    }

    public void saveMetainfo(Metainfo m) throws IOException {
        Path t = torrentFile(m.info().id());
        Files.createDirectories(t.getParent());
        Path tmp = t.resolveSibling("model.torrent.tmp");
        Files.write(tmp, m.encode());
        Files.move(tmp, t, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Ids of all models in the store (complete or not). */
    public List<String> ids() throws IOException {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return ids;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && ID.matcher(name).matches()) {
                    ids.add(name);
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    /**
     * The file the inference engine should load for model {@code id}: the torrent's only file, or
     * its first {@code .gguf} file. Fails with a clear message when the model is unknown or its
     * download is incomplete.
     */
    public Path resolve(String id) throws IOException {
        Optional<Metainfo> known = metainfo(id);
        if (known.isEmpty()) {
            throw new IOException(contains(id) ? "model " + id + " is not completely downloaded yet" : "model " + id + " is not in the store " + root);
        }
        Metainfo m = known.get();
        if (!Files.isRegularFile(resumeFile(id)) || !ResumeCheck.complete(resumeFile(id), m)) {
            throw new IOException("model " + id + " is not completely downloaded yet");
        }
        Path data = dataDir(id);
        List<Path> files = new ArrayList<>();
        for (var f : m.info().files()) {
            Path p = data;
            for (String c : f.path()) {
                p = p.resolve(c);
            }
            files.add(p);
        }
        return files.stream().filter(p -> p.getFileName().toString().endsWith(".gguf")).findFirst().orElse(files.getFirst());
    }

    /**
     * Creates a torrent for {@code source} and places its files in the store (hard link when
     * possible, else a copy). Returns the new torrent with its block hashes, ready to seed.
     */
    public TorrentBuilder.Created add(Path source) throws IOException {
        TorrentBuilder.Created created = TorrentBuilder.create(source, false);
        String id = created.metainfo().info().id();
        Path data = dataDir(id);
        Path target = data.resolve(source.getFileName().toString());
        if (!Files.exists(target)) {
            Files.createDirectories(data);
            if (Files.isDirectory(source)) {
                copyTree(source, target);
            } else {
                link(source, target);
            }
        }
        saveMetainfo(created.metainfo());
        return created;
    }

    private static void link(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(source, target);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    link(file, target.resolve(source.relativize(file).toString()));
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes the model's directory (torrent, resume state and files). */
    public void remove(String id) throws IOException {
        Path dir = dir(id);
        if (!Files.isDirectory(dir)) {
            throw new IOException("model " + id + " is not in the store");
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
