package net.rhizome.net.record;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import net.rhizome.core.bencode.BencodeException;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.net.dht.DhtNode;
import net.rhizome.net.dht.MutableItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes and finds node records: BEP 44 mutable items signed by the node key, salt
 * {@value #SALT}, so a record is found under SHA-1(peer id ‖ salt) and only the key's owner can
 * write it.
 */
public final class NodeRecords {
    public static final String SALT = "rhizome-node-v1";
    private static final byte[] SALT_BYTES = SALT.getBytes(StandardCharsets.US_ASCII);
    private static final Logger log = LoggerFactory.getLogger(NodeRecords.class);

    private final DhtNode dht;

    public NodeRecords(DhtNode dht) {
        this.dht = dht;
    }

    /**
     * Signs {@code record} with {@code key} (which must be the record's peer) and stores it on
     * the nodes closest to its target; completes with how many nodes accepted it. A record
     * whose encoding exceeds the BEP 44 limit of 1000 bytes is refused here.
     */
    public CompletableFuture<Integer> publish(KeyPair key, NodeRecord record) {
        if (!key.peerId().equals(record.peerId())) {
            throw new IllegalArgumentException("record of " + record.peerId().shortId() + " cannot be signed by " + key.peerId().shortId());
        }
        return dht.putMutable(MutableItem.sign(key, SALT_BYTES, record.seq(), NodeRecordCodec.encode(record)));
    }

    /** The record with the highest sequence number whose signature verifies, if any node holds one. */
    public CompletableFuture<Optional<NodeRecord>> lookup(PeerId peer) {
        return dht.getMutable(peer.bytes(), SALT_BYTES).thenApply(item -> item.flatMap(i -> {
            try {
                return Optional.of(NodeRecordCodec.decode(peer, i.seq(), i.value()));
            } catch (BencodeException e) {
                log.debug("signed but malformed node record of {}: {}", peer.shortId(), e.getMessage());
                return Optional.empty();
            }
        }));
    }
}
