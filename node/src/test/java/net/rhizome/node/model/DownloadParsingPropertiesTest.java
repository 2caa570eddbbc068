package net.rhizome.node.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Fuzz-style properties: whatever a server or a damaged cache entry holds, parsing answers or names the problem. */
class DownloadParsingPropertiesTest {
    @Property(tries = 2000)
    void contentRangeIsConsistentOrRejected(@ForAll @StringLength(max = 120) String header) {
        try {
            ContentRange r = ContentRange.parse(header);
            assertThat(r.start()).isLessThanOrEqualTo(r.end());
            assertThat(r.total() < 0 || r.end() < r.total()).isTrue();
        } catch (DownloadException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 500)
    void wellFormedContentRangesRoundTrip(@ForAll long a, @ForAll long b) {
        long start = Math.min(Math.abs(a % 1_000_000_000_000L), Math.abs(b % 1_000_000_000_000L));
        long end = Math.max(Math.abs(a % 1_000_000_000_000L), Math.abs(b % 1_000_000_000_000L));
        try {
            assertThat(ContentRange.parse("bytes " + start + "-" + end + "/" + (end + 1))).isEqualTo(new ContentRange(start, end, end + 1));
        } catch (DownloadException e) {
            throw new AssertionError(e);
        }
    }

    @Property(tries = 2000)
    void urlsParseOrAreRejected(@ForAll @StringLength(max = 200) String text) {
        try {
            URI u = ModelUrls.parse("https://" + text);
            assertThat(u.getHost()).isNotNull();
            assertThat(ModelUrls.checkName(ModelUrls.fileName(u))).isNotEmpty();
        } catch (DownloadException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 300)
    void aDamagedStateFileIsIgnored(@ForAll @Size(max = 300) byte[] content) throws IOException {
        Path dir = Files.createTempDirectory("state");
        try {
            Files.write(dir.resolve(DownloadState.FILE), content);
            DownloadState.read(dir).ifPresent(s -> assertThat(s.url()).isNotNull());
        } finally {
            Files.delete(dir.resolve(DownloadState.FILE));
            Files.delete(dir);
        }
    }
}
