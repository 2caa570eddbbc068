package net.rhizome.ledger;

/** What became of a submitted transaction. {@link Accepted} is only reported once its block is durably committed. */
public sealed interface TxOutcome {
    Hash32 txId();

    record Accepted(Hash32 txId, long height, int index) implements TxOutcome {}

    record Rejected(Hash32 txId, Rejection rejection) implements TxOutcome {}
}
