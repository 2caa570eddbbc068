/** Rhizome ledger module. */
package net.rhizome.ledger;
