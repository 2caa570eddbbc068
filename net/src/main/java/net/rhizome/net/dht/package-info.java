/**
 * Mainline-compatible DHT: BEP 5 (KRPC over UDP: ping, find_node, get_peers, announce_peer with
 * implied_port, IP-bound tokens from a secret rotated every 5 minutes), BEP 44 (immutable and
 * Ed25519-signed mutable items, 1000-byte values, seq and CAS rules), BEP 43 read-only nodes and
 * IPv6 compact forms (one address family per node).
 *
 * <p>Design: one {@link net.rhizome.net.dht.DhtNode} owns one UDP socket. A virtual thread
 * receives datagrams, applies the per-IP rate limit and the 1500-byte size limit, parses them
 * ({@link net.rhizome.net.dht.KrpcCodec}) and answers queries inline; one timer thread runs query
 * timeouts and maintenance (expiry, pings of questionable nodes, refresh of buckets unchanged for
 * 15 minutes). Lookups are iterative with α = 3 queries in flight over the k = 8 closest
 * candidates. Malformed or over-limit datagrams are counted and dropped; nothing a peer sends
 * can stop the node serving others.
 *
 * <p>Node id: Rhizome nodes use {@link net.rhizome.net.dht.NodeId#derivedFrom} (SHA-1 of the
 * node's Ed25519 key), stable across restarts without another file; a random persisted id
 * ({@link net.rhizome.net.dht.NodeId#loadOrCreate}) is available for nodes without a key.
 */
package net.rhizome.net.dht;
