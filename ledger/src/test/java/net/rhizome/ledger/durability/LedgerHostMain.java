package net.rhizome.ledger.durability;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.util.Hex;
import net.rhizome.ledger.EmbeddedLedger;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.TxOutcome;
import net.rhizome.ledger.tx.SignedTransaction;

/**
 * The ledger host process of {@link DurabilityTest}: reads hex-encoded signed transactions from
 * stdin, makes a block every 20 ms, and prints {@code ACK <tx id> <height>} only after the block
 * holding a transaction is committed.
 */
public final class LedgerHostMain {
    static final KeyPair SENDER = KeyPair.deterministic("durability-sender");
    static final KeyPair RECEIVER = KeyPair.deterministic("durability-receiver");
    static final long START_CREDITS = 1_000_000_000;

    static GenesisConfig genesis() {
        return new GenesisConfig("durability", 0, SENDER.peerId(),
                List.of(new GenesisConfig.Allocation(SENDER.peerId(), 1000, START_CREDITS),
                        new GenesisConfig.Allocation(RECEIVER.peerId(), 0, 0)),
                1000, new GenesisConfig.Emission(10, 100), 50, 5, 20,
                new GenesisConfig.MinStakes(10, 10, 10),
                new GenesisConfig.RewardParams(700, 200, 100, 88, 800, 1200, 500, 2000),
                new GenesisConfig.DisputeParams(10, 1, 500, 200));
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.US_ASCII);
        try (EmbeddedLedger ledger = EmbeddedLedger.open(Path.of(args[0]), genesis())) {
            ledger.startBlockTimer();
            out.println("READY " + ledger.head().height());
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()) != null) {
                SignedTransaction tx = SignedTransaction.decode(Hex.decode(line.trim()));
                ledger.submit(tx).thenAccept(outcome -> {
                    String text = switch (outcome) {
                        case TxOutcome.Accepted a -> "ACK " + a.txId().hex() + " " + a.height();
                        case TxOutcome.Rejected r -> "REJ " + r.txId().hex() + " " + r.rejection();
                    };
                    synchronized (out) {
                        out.println(text);
                        out.flush();
                    }
                });
            }
        }
    }
}
