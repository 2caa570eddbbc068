package net.rhizome.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysWalletsTest {
    @TempDir
    Path dir;

    final KeyPair node = KeyPair.deterministic("node");

    ApiKeysWallets wallets() {
        return new ApiKeysWallets(dir.resolve("wallets"), node);
    }

    @Test
    void aNewWalletIsAKeyPairKeptOwnerOnlyAndFoundAgainAfterARestart() throws Exception {
        PeerId w = wallets().create();
        Path file = dir.resolve("wallets").resolve(w.hex() + ".key");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(w).isNotEqualTo(node.peerId());
        try (var files = Files.list(dir.resolve("wallets"))) {
            assertThat(files).as("no temporary file is left").hasSize(1);
        }
        ApiKeysWallets reopened = wallets();
        assertThat(reopened.key(w)).get().extracting(KeyPair::peerId).isEqualTo(w);
        assertThat(reopened.payer(w).peerId()).isEqualTo(w);
    }

    @Test
    void namesResolveToTheNodeWalletOrAHeldWallet() throws Exception {
        ApiKeysWallets wallets = wallets();
        PeerId a = wallets.create();
        PeerId b = wallets.create();
        assertThat(wallets.resolve("node")).isEqualTo(node.peerId());
        assertThat(wallets.resolve(node.peerId().hex().substring(0, 10))).isEqualTo(node.peerId());
        assertThat(wallets.resolve(a.hex())).isEqualTo(a);
        assertThat(wallets.resolve(b.hex().substring(0, 12).toUpperCase())).isEqualTo(b);
        assertThatThrownBy(() -> wallets.resolve("deadbeefdeadbeef")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no wallet deadbeefdeadbeef");
        assertThatThrownBy(() -> wallets.resolve("abc")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'abc'");
        assertThatThrownBy(() -> wallets.resolve("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWalletThisNodeDoesNotHoldCannotPay() {
        PeerId stranger = KeyPair.deterministic("stranger").peerId();
        assertThat(wallets().key(stranger)).isEmpty();
        assertThatThrownBy(() -> wallets().payer(stranger)).isInstanceOfSatisfying(OpenAiException.class,
                e -> assertThat(e.getMessage()).contains("not held by this node"));
    }

    @Test
    void aWalletFileHoldingAnotherKeyIsRefused() throws Exception {
        ApiKeysWallets wallets = wallets();
        PeerId a = wallets.create();
        PeerId b = wallets.create();
        Path fa = dir.resolve("wallets").resolve(a.hex() + ".key");
        Files.copy(dir.resolve("wallets").resolve(b.hex() + ".key"), fa, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> wallets().key(a)).isInstanceOf(IllegalStateException.class).hasMessageContaining("holds the key of");
    }

    @Test
    void eachWalletGetsItsOwnPayerBuiltOnce() throws Exception {
        ApiKeysWallets wallets = wallets();
        PeerId a = wallets.create();
        AtomicInteger builds = new AtomicInteger();
        ApiKeysPerWallet<KeyPair> perWallet = new ApiKeysPerWallet<>(wallets, k -> {
            builds.incrementAndGet();
            return k;
        });
        assertThat(perWallet.get(a).peerId()).isEqualTo(a);
        assertThat(perWallet.get(node.peerId())).isEqualTo(node);
        assertThat(perWallet.get(a).peerId()).isEqualTo(a);
        assertThat(builds).hasValue(2);
        assertThatThrownBy(() -> perWallet.get(KeyPair.deterministic("x").peerId())).isInstanceOf(OpenAiException.class);
    }
}
