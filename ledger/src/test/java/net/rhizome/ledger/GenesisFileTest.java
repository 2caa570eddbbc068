package net.rhizome.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.rhizome.ledger.codec.DecodeException;
import org.junit.jupiter.api.Test;

class GenesisFileTest {
    @Test
    void textAndBinaryFormsRoundTrip() throws DecodeException {
        GenesisConfig g = TestChain.genesis(4);
        assertThat(GenesisFile.parse(GenesisFile.format(g))).isEqualTo(g);
        assertThat(GenesisConfig.decode(g.encode())).isEqualTo(g);
        assertThat(GenesisConfig.decode(g.encode()).hash()).isEqualTo(g.hash());
    }

    @Test
    void missingDefaultsAreDevnetOnes() {
        String issuer = TestChain.ISSUER.peerId().hex();
        GenesisConfig g = GenesisFile.parse("credit.issuer=" + issuer + "\nallocation." + issuer + "=5,7\n");
        assertThat(g.epochBlocks()).isEqualTo(60);
        assertThat(g.allocations()).containsExactly(new GenesisConfig.Allocation(TestChain.ISSUER.peerId(), 5, 7));
    }

    @Test
    void badFilesNameTheProblem() {
        String issuer = TestChain.ISSUER.peerId().hex();
        assertThatThrownBy(() -> GenesisFile.parse("chain=x\n")).hasMessageContaining("missing 'credit.issuer'");
        assertThatThrownBy(() -> GenesisFile.parse("credit.issuer=" + issuer + "\nbogus=1\n")).hasMessageContaining("unknown key 'bogus'");
        assertThatThrownBy(() -> GenesisFile.parse("credit.issuer=" + issuer + "\nepoch.blocks=ten\n"))
                .hasMessageContaining("epoch.blocks must be an integer");
        assertThatThrownBy(() -> GenesisFile.parse("credit.issuer=zz\n")).hasMessageContaining("credit.issuer");
        assertThatThrownBy(() -> GenesisFile.parse("credit.issuer=" + issuer + "\nallocation." + issuer + "=5\n"))
                .hasMessageContaining("'<rhz>,<credits>'");
        assertThatThrownBy(() -> GenesisConfig.decode(new byte[] {1, 0})).isInstanceOf(DecodeException.class);
    }
}
