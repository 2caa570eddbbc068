package net.rhizome.node.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import net.rhizome.market.job.Receipt;

/** The worker's receipts, one JSON object per line, kept for audits. */
final class ReceiptLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Writer out;

    ReceiptLog(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    synchronized void append(Receipt r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", r.jobId().hex());
        m.put("worker", r.worker().hex());
        m.put("output_hash", r.outputHash().hex());
        m.put("first_index", r.firstIndex());
        m.put("token_count", r.tokenCount());
        m.put("finish_reason", r.finishReason().wireName());
        try {
            out.write(JSON.writeValueAsString(m));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append receipt: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
