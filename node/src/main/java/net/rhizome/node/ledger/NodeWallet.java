package net.rhizome.node.ledger;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.Ledger;
import net.rhizome.ledger.TxOutcome;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.ledger.tx.Transaction;

/**
 * Signs operations with one key and submits them one at a time, each with the nonce the
 * committed state expects, waiting for the outcome before the next (so nonces never collide).
 */
public final class NodeWallet {
    private final KeyPair key;
    private final Ledger ledger;

    public NodeWallet(KeyPair key, Ledger ledger) {
        this.key = key;
        this.ledger = ledger;
    }

    public KeyPair key() {
        return key;
    }

    /** The signed transaction and what became of it. */
    public record Sent(SignedTransaction tx, TxOutcome outcome) {}

    public synchronized Sent send(Operation op) {
        SignedTransaction tx = new Transaction(key.peerId(), ledger.nextNonce(key.peerId()), op).sign(key);
        try {
            return new Sent(tx, ledger.submit(tx).get(60, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for transaction " + tx.id().shortHex());
        } catch (ExecutionException e) {
            throw new IllegalStateException("submitting " + tx.id().shortHex() + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("transaction " + tx.id().shortHex() + " was not in a block within 60 s");
        }
    }
}
