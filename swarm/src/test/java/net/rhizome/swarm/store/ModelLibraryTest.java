package net.rhizome.swarm.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.session.Swarm;
import net.rhizome.swarm.session.SwarmConfig;
import net.rhizome.swarm.session.TorrentSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLibraryTest {
    @TempDir
    Path dir;

    @Test
    void addedModelIsFetchedByMagnetResolvedByIdAndSeededAgainAfterRestart() throws Exception {
        byte[] data = new byte[3_000_000];
        new Random(11).nextBytes(data);
        Path src = dir.resolve("tiny.gguf");
        Files.write(src, data);
        ModelStore storeA = new ModelStore(dir.resolve("a/models"));
        ModelStore storeB = new ModelStore(dir.resolve("b/models"));
        String id;
        String magnet;
        try (Swarm a = new Swarm(SwarmConfig.loopback(), List.of()).start();
             Swarm b = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
            ModelLibrary libA = new ModelLibrary(storeA, a);
            TorrentSession seed = libA.add(src);
            id = seed.id();
            assertThat(storeA.resolve(id)).hasBinaryContent(data);
            magnet = libA.info(id).magnet();
            assertThat(libA.info(id).state()).isEqualTo("seeding");

            ModelLibrary libB = new ModelLibrary(storeB, b);
            assertThatThrownBy(() -> storeB.resolve(id)).isInstanceOf(IOException.class).hasMessageContaining("not in the store");
            TorrentSession fetched = libB.fetch(magnet, List.of(new PeerAddress("127.0.0.1", a.port())));
            fetched.completion().get(60, TimeUnit.SECONDS);
            // the torrent file is saved right after completion, on the completing thread
            for (int i = 0; i < 100 && storeB.metainfo(id).isEmpty(); i++) {
                Thread.sleep(50);
            }
            assertThat(storeB.resolve(id)).hasBinaryContent(data);
            assertThat(libB.list()).extracting(ModelInfo::id).containsExactly(id);
        }
        try (Swarm b2 = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
            ModelLibrary again = new ModelLibrary(storeB, b2);
            again.resumeAll();
            assertThat(again.info(id).state()).isEqualTo("seeding");
            assertThat(again.info(id).name()).isEqualTo("tiny.gguf");
            again.remove(id);
            assertThat(again.list()).isEmpty();
        }
        assertThatThrownBy(() -> ModelStore.checkId("../etc")).hasMessageContaining("64 lower-case hex");
    }
}
