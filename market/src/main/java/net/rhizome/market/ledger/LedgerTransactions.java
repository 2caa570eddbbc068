package net.rhizome.market.ledger;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.Ledger;
import net.rhizome.ledger.TxOutcome;
import net.rhizome.ledger.tx.Operation;
import net.rhizome.ledger.tx.Transaction;

/**
 * Submits one account's transactions one at a time (its nonces must follow each other) and waits for
 * each to be in a block. Thread-safe per instance; use one instance per account.
 */
public final class LedgerTransactions {
    private final Ledger ledger;
    private final KeyPair account;
    private final Duration timeout;

    public LedgerTransactions(Ledger ledger, KeyPair account, Duration timeout) {
        this.ledger = ledger;
        this.account = account;
        this.timeout = timeout;
    }

    public Ledger ledger() {
        return ledger;
    }

    public KeyPair account() {
        return account;
    }

    /** The nonce the next transaction will use. */
    public synchronized long nextNonce() {
        return ledger.nextNonce(account.peerId());
    }

    /** Submits {@code op} with the next nonce and returns that nonce once the ledger accepted it. */
    public synchronized long submit(Operation op) throws LedgerException {
        long nonce = ledger.nextNonce(account.peerId());
        TxOutcome outcome;
        try {
            outcome = ledger.submit(new Transaction(account.peerId(), nonce, op).sign(account))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new LedgerException("the ledger did not include " + op.getClass().getSimpleName() + " within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new LedgerException("the ledger failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerException("interrupted while waiting for the ledger");
        }
        if (outcome instanceof TxOutcome.Rejected r) {
            throw new LedgerException(op.getClass().getSimpleName() + " rejected: " + r.rejection().message());
        }
        return nonce;
    }

    /** A transaction the ledger refused or did not confirm; the message says why. */
    public static final class LedgerException extends Exception {
        public LedgerException(String message) {
            super(message);
        }
    }
}
