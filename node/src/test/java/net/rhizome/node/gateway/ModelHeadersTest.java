package net.rhizome.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import net.rhizome.ledger.Hash32;
import net.rhizome.swarm.PeerAddress;
import net.rhizome.swarm.session.Swarm;
import net.rhizome.swarm.session.SwarmConfig;
import net.rhizome.swarm.session.TorrentSession;
import net.rhizome.swarm.store.ModelLibrary;
import net.rhizome.swarm.store.ModelStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gateway reads a model's tokenizer from the first bytes of its file, fetched from a seeder, growing them as the metadata needs. */
class ModelHeadersTest {
    @TempDir
    Path dir;

    @Test
    void fetchesDoublingPrefixesUntilTheMetadataReadsAndRefusesPastTheLimit() throws Exception {
        Path model = dir.resolve("stories15m.gguf");
        SyntheticModels.write(ModelShape.STORIES15M, GgmlType.Q8_0, 7, model);
        long size = Files.size(model);
        try (Swarm seeder = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
            String id = new ModelLibrary(new ModelStore(dir.resolve("seeder")), seeder).add(model).id();
            Function<String, List<PeerAddress>> seeders = any -> List.of(new PeerAddress("127.0.0.1", seeder.port()));
            try (Swarm gateway = new Swarm(SwarmConfig.loopback(), List.of()).start()) {
                ModelStore store = new ModelStore(dir.resolve("gateway"));
                ModelLibrary library = new ModelLibrary(store, gateway);
                ModelCatalog catalog = new ModelCatalog();

                assertThatThrownBy(() -> new ModelHeaders(library, catalog, seeders, any -> true, 64 << 10, 256 << 10).read(Hash32.parse(id), id))
                        .isInstanceOf(IOException.class).hasMessageContaining("longer than this gateway's limit of 262144 bytes")
                        .hasMessageContaining("need more bytes");
                assertThat(catalog.all()).isEmpty();

                ModelCatalog.Model m = new ModelHeaders(library, catalog, seeders, any -> true, 64 << 10, 64 << 20).read(Hash32.parse(id), id);
                assertThat(m.vocabularySize()).isEqualTo(32000);
                assertThat(m.name()).isEqualTo("stories15m.gguf");
                assertThat(catalog.get(Hash32.parse(id))).contains(m);
                ModelCatalog whole = new ModelCatalog();
                assertThat(m.tokenize(new Prompt.Text("Once upon a time")))
                        .containsExactly(whole.add(Hash32.parse(id), "w", model).tokenize(new Prompt.Text("Once upon a time")));

                TorrentSession s = gateway.find(id).orElseThrow();
                long held = Files.size(s.files().getFirst());
                assertThat(held).as("bytes of the %d-byte model on disk", size).isLessThan(size / 8).isEqualTo(s.stats().verifiedBytes());
                assertThat(library.info(id).state()).isEqualTo("partial");
                assertThatThrownBy(() -> store.resolve(id)).isInstanceOf(IOException.class);
            }
        }
    }
}
