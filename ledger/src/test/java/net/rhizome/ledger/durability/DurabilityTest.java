package net.rhizome.ledger.durability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.rhizome.ledger.Asset;
import net.rhizome.ledger.EmbeddedLedger;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.ledger.tx.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real ledger host process with SIGKILL while it takes a steady stream of transfers, 20
 * times. After every kill the file must hold every acknowledged transaction exactly once, the
 * receiver's balance must equal the number of transfers in the log (nothing applied twice or
 * lost), invariants must hold and the log must replay to the head's state root.
 */
class DurabilityTest {
    private static final int KILLS = 20;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedTransactionSurvivesSigkill() throws Exception {
        Path db = dir.resolve("ledger.db");
        Random random = new Random(42);
        Set<Hash32> acknowledged = ConcurrentHashMap.newKeySet();
        long totalAcked = 0;
        for (int round = 0; round < KILLS; round++) {
            long nextNonce = verify(db, acknowledged);
            Process host = new ProcessBuilder(javaCommand(db)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                BufferedReader fromHost = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.US_ASCII));
                String ready = fromHost.readLine();
                assertThat(ready).as("host start-up line").startsWith("READY");
                CountDownLatch firstAck = new CountDownLatch(1);
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        String line;
                        while ((line = fromHost.readLine()) != null) {
                            if (line.startsWith("ACK ")) {
                                acknowledged.add(Hash32.parse(line.split(" ")[1]));
                                firstAck.countDown();
                            }
                        }
                    } catch (java.io.IOException killed) {
                        // the host died; everything acknowledged so far has been recorded
                    }
                });
                Writer toHost = new OutputStreamWriter(host.getOutputStream(), StandardCharsets.US_ASCII);
                long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(150 + random.nextInt(500));
                long nonce = nextNonce;
                try {
                    while (System.nanoTime() < killAt || firstAck.getCount() > 0) {
                        for (int i = 0; i < 20; i++) {
                            toHost.write(hex(transfer(nonce++)));
                            toHost.write('\n');
                        }
                        toHost.flush();
                        if (System.nanoTime() - killAt > TimeUnit.SECONDS.toNanos(20)) {
                            throw new AssertionError("no transaction acknowledged within 20 s");
                        }
                        Thread.sleep(2);
                    }
                } catch (java.io.IOException hostGone) {
                    throw new AssertionError("ledger host exited before it was killed", hostGone);
                }
                host.destroyForcibly();
                assertThat(host.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(host.exitValue()).as("killed by SIGKILL").isEqualTo(137);
                reader.join(5000);
            } finally {
                host.destroyForcibly();
            }
            assertThat(acknowledged.size()).as("acks grow every round").isGreaterThan((int) totalAcked);
            totalAcked = acknowledged.size();
        }
        verify(db, acknowledged);
    }

    /** Opens the file in this process, checks everything, and returns the sender's next nonce. */
    private static long verify(Path db, Set<Hash32> acknowledged) throws Exception {
        try (EmbeddedLedger ledger = EmbeddedLedger.open(db, LedgerHostMain.genesis())) {
            for (Hash32 id : acknowledged) {
                assertThat(ledger.transaction(id)).as("acknowledged tx %s", id.shortHex()).isPresent();
            }
            long committed = ledger.account(LedgerHostMain.SENDER.peerId()).orElseThrow().nonce();
            assertThat(ledger.balance(LedgerHostMain.RECEIVER.peerId(), Asset.CREDITS)).isEqualTo(committed);
            assertThat(ledger.balance(LedgerHostMain.SENDER.peerId(), Asset.CREDITS)).isEqualTo(LedgerHostMain.START_CREDITS - committed);
            assertThat(ledger.checkInvariants()).isEmpty();
            assertThat(ledger.verifyReplay().transactions()).isEqualTo(committed);
            return committed + 1;
        }
    }

    private static SignedTransaction transfer(long nonce) {
        return new Transaction(LedgerHostMain.SENDER.peerId(), nonce,
                new Operation.Transfer(LedgerHostMain.RECEIVER.peerId(), Asset.CREDITS, 1)).sign(LedgerHostMain.SENDER);
    }

    private static String hex(SignedTransaction tx) {
        return net.rhizome.core.util.Hex.encode(tx.encode());
    }

    private static List<String> javaCommand(Path db) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LedgerHostMain.class.getName());
        cmd.add(db.toString());
        return cmd;
    }
}
