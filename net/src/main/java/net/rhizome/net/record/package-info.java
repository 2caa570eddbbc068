/**
 * Signed node records: what a node publishes about itself (addresses, roles, served models,
 * software version, extensions), stored as BEP 44 mutable items under its own key with salt
 * {@code rhizome-node-v1}, so any node can fetch and verify another's record by peer id.
 */
package net.rhizome.net.record;
