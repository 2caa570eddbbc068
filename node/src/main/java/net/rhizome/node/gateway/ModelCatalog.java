package net.rhizome.node.gateway;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import net.rhizome.inference.chat.ChatMessage;
import net.rhizome.inference.chat.ChatTemplate;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufPrefixTooShortException;
import net.rhizome.inference.model.ModelConfig;
import net.rhizome.inference.tokenizer.Tokenizer;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.worker.Pooling;

/**
 * The models this gateway can tokenise for: each model's tokenizer, chat template and limits, read
 * from its GGUF file or the file's first bytes (the weights are not loaded). A model without a recognised
 * chat template renders chat messages as plain text.
 */
public final class ModelCatalog {
    /** What the gateway knows of one model; {@code embeddingDimension} is 0 unless it is an embedding model ({@link Pooling#LAST}). */
    public record Model(Hash32 id, String name, Tokenizer tokenizer, ChatTemplate template, int contextLength, int vocabularySize,
            int embeddingDimension) {
        public int[] tokenize(Prompt prompt) {
            return switch (prompt) {
                case Prompt.Text t -> tokenizer.encode(t.text(), tokenizer.addBosByDefault(), false);
                case Prompt.Chat c -> template.encode(tokenizer,
                        c.messages().stream().map(m -> new ChatMessage(m.role(), m.content())).toList(), true);
            };
        }
    }

    private final Map<Hash32, Model> models = new ConcurrentHashMap<>();

    /** Reads the tokenizer, template and limits of the model {@code id} stored at {@code file}. */
    public Model add(Hash32 id, String name, Path file) throws IOException {
        try (GgufFile gguf = GgufFile.open(file)) {
            return add(id, name, gguf);
        } catch (RuntimeException e) {
            throw new IOException("cannot read model " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the model {@code id} from {@code prefix}, the first bytes of its GGUF file of {@code fileSize} bytes;
     * a {@link GgufPrefixTooShortException} says how many bytes its metadata needs.
     */
    public Model add(Hash32 id, String name, MemorySegment prefix, long fileSize) throws IOException {
        try {
            return add(id, name, GgufFile.metadataOf(prefix, fileSize));
        } catch (GgufPrefixTooShortException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException("cannot read model " + id + ": " + e.getMessage(), e);
        }
    }

    private Model add(Hash32 id, String name, GgufFile gguf) {
        ModelConfig config = ModelConfig.from(gguf);
        Tokenizer tokenizer = Tokenizer.fromGguf(gguf);
        Model m = new Model(id, name, tokenizer, ChatTemplate.fromGguf(gguf, true), config.contextLength(), tokenizer.vocabularySize(),
                Pooling.embeds(gguf) ? config.dim() : 0);
        models.put(id, m);
        return m;
    }

    public Optional<Model> get(Hash32 id) {
        return Optional.ofNullable(models.get(id));
    }

    public List<Model> all() {
        return models.values().stream().sorted(java.util.Comparator.comparing(Model::name)).toList();
    }
}
