package net.rhizome.net.dht;

import java.net.InetSocketAddress;

/** A DHT contact: its id and UDP address. */
public record NodeInfo(NodeId id, InetSocketAddress address) {}
