package net.rhizome.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import net.rhizome.inference.gguf.GgufFile;
import net.rhizome.inference.gguf.GgufFormatException;
import net.rhizome.inference.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rhizome tokenize}: the token ids a model's tokenizer gives a text. */
@Command(
        name = "tokenize",
        mixinStandardHelpOptions = true,
        description = "Print the token ids of TEXT under a GGUF model's tokenizer (vocabulary-only files work too).")
public final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "GGUF file with the vocabulary.")
    Path model;

    @Option(names = "--json", description = "Print one JSON object with ids and the text of each token.")
    boolean json;

    @Option(names = "--bos", description = "Prepend the BOS token.")
    boolean bos;

    @Option(names = "--special", description = "Recognise control tokens written in TEXT, e.g. <|im_start|>.")
    boolean special;

    @Parameters(index = "0", paramLabel = "TEXT", description = "Text to tokenize; '-' reads standard input.")
    String text;

    @Override
    public Integer call() throws IOException {
        String input = "-".equals(text) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : text;
        if (!Files.exists(model)) {
            throw new CliException("model file not found: " + model);
        }
        if (!Files.isRegularFile(model)) {
            throw new CliException("not a regular file: " + model);
        }
        Tokenizer tokenizer;
        try (GgufFile gguf = GgufFile.open(model)) {
            tokenizer = Tokenizer.fromGguf(gguf);
        } catch (GgufFormatException e) {
            throw new CliException(e.getMessage());
        } catch (NoSuchFileException e) {
            throw new CliException("model file not found: " + model);
        } catch (IOException e) {
            throw new CliException("cannot read " + model + ": " + e);
        }
        int[] ids = tokenizer.encode(input, bos, special);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = mapper.createObjectNode();
            ArrayNode tokens = root.putArray("tokens");
            ArrayNode pieces = root.putArray("pieces");
            for (int id : ids) {
                tokens.add(id);
                pieces.add(piece(tokenizer, id));
            }
            root.put("count", ids.length);
            out.println(mapper.writeValueAsString(root));
        } else {
            out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
        }
        out.flush();
        return 0;
    }

    /** The token's text, or its vocabulary spelling (such as {@code <0xF0>}) when its bytes are not whole UTF-8. */
    private static String piece(Tokenizer tokenizer, int id) {
        byte[] bytes = tokenizer.tokenBytes(id);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return tokenizer.tokenText(id);
        }
    }
}
