package net.rhizome.node.gateway;

import net.rhizome.core.crypto.PeerId;

/** Spendable credits of the wallets the gateway's API keys are bound to (base units, from the ledger). */
@FunctionalInterface
public interface CreditAccounts {
    long available(PeerId wallet);
}
