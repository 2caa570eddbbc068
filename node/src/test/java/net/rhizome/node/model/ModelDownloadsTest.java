package net.rhizome.node.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import net.rhizome.inference.gguf.GgmlType;
import net.rhizome.inference.synth.ModelShape;
import net.rhizome.inference.synth.SyntheticModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against a local HTTP server: resume, redirects, limits, and each failure it must name. */
class ModelDownloadsTest {
    private static byte[] model;
    private static String modelSha;
    private static byte[] model2;
    private static String model2Sha;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private ModelServer server;
    private ModelDownloads downloads;

    @BeforeAll
    static void synthesise() throws Exception {
        Path file = shared.resolve("tiny.gguf");
        SyntheticModels.write(ModelShape.TINY, GgmlType.Q8_0, 7, file);
        model = Files.readAllBytes(file);
        modelSha = sha256(model);
        Path file2 = shared.resolve("tiny2.gguf");
        SyntheticModels.write(ModelShape.TINY, GgmlType.Q8_0, 8, file2);
        model2 = Files.readAllBytes(file2);
        model2Sha = sha256(model2);
    }

    @BeforeEach
    void start() throws IOException {
        server = new ModelServer();
        downloads = new ModelDownloads(tmp.resolve("downloads"), settings(3));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ModelDownloads.Settings settings(int attempts) {
        return new ModelDownloads.Settings(Duration.ofSeconds(5), Duration.ofSeconds(5), 3, attempts, Duration.ofMillis(10), 1L << 30);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private Path fetch(String path, String sha, String name) throws IOException {
        return downloads.fetch(ModelDownloads.Request.of(server.url(path), sha, name), DownloadListener.NONE);
    }

    @Test
    void downloadsVerifiesAndNamesTheFileAfterTheUrl() throws Exception {
        server.file("/org/repo/resolve/main/tiny.gguf", model, "\"v1\"");
        Path file = fetch("/org/repo/resolve/main/tiny.gguf", modelSha, null);
        assertThat(file.getFileName()).hasToString("tiny.gguf");
        assertThat(file).hasBinaryContent(model);
        assertThat(file.getParent().resolve(ModelDownloads.PARTIAL)).doesNotExist();
    }

    @Test
    void aSecondFetchOfTheSameUrlComesFromTheCache() throws Exception {
        server.file("/m.gguf", model, "\"v1\"");
        Path first = fetch("/m.gguf", null, null);
        Path second = fetch("/m.gguf", null, null);
        assertThat(second).isEqualTo(first);
        assertThat(server.hitsOf("/m.gguf")).isEqualTo(1);
        Path renamed = fetch("/m.gguf", modelSha, "other.gguf");
        assertThat(renamed.getFileName()).hasToString("other.gguf");
        assertThat(renamed).hasBinaryContent(model);
        assertThat(server.hitsOf("/m.gguf")).isEqualTo(1);
    }

    @Test
    void aDroppedConnectionIsResumedWithARangeRequest() throws Exception {
        server.file("/m.gguf", model, "\"v1\"").drop("/m.gguf", 100_000, 2);
        Path file = fetch("/m.gguf", modelSha, null);
        assertThat(file).hasBinaryContent(model);
        assertThat(server.hits()).extracting(ModelServer.Hit::range)
                .containsExactly(null, "bytes=100000-", "bytes=200000-");
    }

    @Test
    void aPartialDownloadLeftByAnEarlierRunIsResumed() throws Exception {
        server.file("/m.gguf", model, "\"v1\"").drop("/m.gguf", 300_000, 1);
        ModelDownloads once = new ModelDownloads(tmp.resolve("downloads"), settings(1));
        assertThatThrownBy(() -> once.fetch(ModelDownloads.Request.of(server.url("/m.gguf"), null, null), DownloadListener.NONE))
                .isInstanceOf(DownloadException.class).hasMessageContaining("after 300000 of " + model.length + " bytes");
        Path part = downloads.entry(ModelUrls.parse(server.url("/m.gguf"))).resolve(ModelDownloads.PARTIAL);
        assertThat(part).hasSize(300_000);

        Path file = fetch("/m.gguf", modelSha, null);
        assertThat(file).hasBinaryContent(model);
        assertThat(server.hits().getLast().range()).isEqualTo("bytes=300000-");
    }

    @Test
    void aChangedFileOnTheServerRestartsFromZeroAndIsCheckedAgainstItsNewChecksum() throws Exception {
        server.fileWithLinkedSha("/m.gguf", model, modelSha).drop("/m.gguf", 50_000, 1);
        ModelDownloads once = new ModelDownloads(tmp.resolve("downloads"), settings(1));
        assertThatThrownBy(() -> once.fetch(ModelDownloads.Request.of(server.url("/m.gguf"), null, null), DownloadListener.NONE))
                .isInstanceOf(DownloadException.class);
        server.fileWithLinkedSha("/m.gguf", model2, model2Sha);
        assertThat(fetch("/m.gguf", null, null)).hasBinaryContent(model2);
        assertThat(server.hits().getLast().range()).isEqualTo("bytes=50000-");
    }

    @Test
    void aServerIgnoringRangesStillYieldsTheWholeFile() throws Exception {
        server.file("/m.gguf", model, "\"v1\"").drop("/m.gguf", 70_000, 1).ignoreRanges();
        assertThat(fetch("/m.gguf", modelSha, null)).hasBinaryContent(model);
    }

    @Test
    void followsRedirectsButNotForever() throws Exception {
        server.file("/cdn/blob", model, "\"v1\"").redirect("/a/m.gguf", "/b").redirect("/b", "/cdn/blob");
        assertThat(fetch("/a/m.gguf", modelSha, null)).hasBinaryContent(model).hasFileName("m.gguf");

        server.redirect("/loop1", "/loop2").redirect("/loop2", "/loop1");
        assertThatThrownBy(() -> fetch("/loop1", null, null)).isInstanceOf(DownloadException.class)
                .hasMessageContaining("more than 3 redirects");
    }

    @Test
    void checksTheShaAnnouncedInXLinkedEtag() throws Exception {
        server.fileWithLinkedSha("/good.gguf", model, modelSha).fileWithLinkedSha("/bad.gguf", model, "ab".repeat(32));
        assertThat(fetch("/good.gguf", null, null)).hasBinaryContent(model);
        assertThatThrownBy(() -> fetch("/bad.gguf", null, null)).hasMessageContaining("checksum mismatch")
                .hasMessageContaining("ab".repeat(32));
    }

    @Test
    void aChecksumMismatchDeletesTheDownload() throws Exception {
        server.file("/m.gguf", model, "\"v1\"");
        assertThatThrownBy(() -> fetch("/m.gguf", "00".repeat(32), null)).isInstanceOf(DownloadException.class)
                .hasMessageContaining("checksum mismatch").hasMessageContaining(modelSha);
        Path entry = downloads.entry(ModelUrls.parse(server.url("/m.gguf")));
        assertThat(entry.resolve(ModelDownloads.PARTIAL)).doesNotExist();
        assertThat(entry.resolve("m.gguf")).doesNotExist();
    }

    @Test
    void namesEachFailure() throws Exception {
        server.html("/page.gguf").file("/text.gguf", "hello, this is not a model".getBytes(), "\"t\"");
        assertThatThrownBy(() -> fetch("/missing.gguf", null, null)).hasMessageContaining("not found (HTTP 404)");
        assertThatThrownBy(() -> fetch("/page.gguf", null, null)).hasMessageContaining("HTML page")
                .hasMessageContaining("/resolve/");
        assertThatThrownBy(() -> fetch("/text.gguf", null, null)).hasMessageContaining("not a GGUF model")
                .hasMessageContaining("\"hell\"");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() -> downloads.fetch(ModelDownloads.Request.of("http://127.0.0.1:" + closedPort + "/m.gguf", null, null),
                DownloadListener.NONE)).hasMessageContaining("cannot connect to 127.0.0.1:" + closedPort);
        assertThatThrownBy(() -> ModelDownloads.Request.of("ftp://host/m.gguf", null, null)).hasMessageContaining("http://");
        assertThatThrownBy(() -> ModelDownloads.Request.of(server.url("/m.gguf"), "xyz", null)).hasMessageContaining("--sha256");
        assertThatThrownBy(() -> ModelDownloads.Request.of(server.url("/m.gguf"), null, "../evil.gguf")).hasMessageContaining("--name");
    }

    @Test
    void aTruncatedGgufIsRejectedAfterTheTransfer() throws Exception {
        byte[] truncated = java.util.Arrays.copyOf(model, model.length / 2);
        server.file("/half.gguf", truncated, "\"h\"");
        assertThatThrownBy(() -> fetch("/half.gguf", null, null)).hasMessageContaining("not a valid GGUF model");
    }

    @Test
    void refusesFilesAboveTheSizeLimitBeforeDownloading() throws Exception {
        server.file("/m.gguf", model, "\"v1\"");
        ModelDownloads small = new ModelDownloads(tmp.resolve("downloads"), settings(3).withMaxBytes(1000));
        assertThatThrownBy(() -> small.fetch(ModelDownloads.Request.of(server.url("/m.gguf"), null, null), DownloadListener.NONE))
                .hasMessageContaining("more than the limit of 1000");
        assertThat(downloads.entry(ModelUrls.parse(server.url("/m.gguf"))).resolve(ModelDownloads.PARTIAL)).doesNotExist();
    }
}
