package net.rhizome.node.cli.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ByteSizeConverterTest {
    private final ByteSizeConverter sizes = new ByteSizeConverter();

    @Test
    void readsPlainCountsAndBinaryUnits() {
        assertThat(sizes.convert("1000")).isEqualTo(1000L);
        assertThat(sizes.convert("512M")).isEqualTo(512L << 20);
        assertThat(sizes.convert("20g")).isEqualTo(20L << 30);
        assertThat(sizes.convert("1TiB")).isEqualTo(1L << 40);
        assertThat(sizes.convert("4 KB")).isEqualTo(4096L);
        assertThat(sizes.convert("7b")).isEqualTo(7L);
    }

    @Test
    void rejectsWhatIsNotASize() {
        for (String bad : new String[] {"", "0", "-5", "12X", "G", "1.5G", "9".repeat(40), "9999999999T"}) {
            assertThatThrownBy(() -> sizes.convert(bad)).as(bad).isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("'" + bad + "'");
        }
    }
}
