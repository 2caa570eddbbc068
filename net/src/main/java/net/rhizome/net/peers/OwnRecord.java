package net.rhizome.net.peers;

import java.util.function.Supplier;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.net.dht.MutableItem;
import net.rhizome.net.record.NodeRecord;
import net.rhizome.net.record.NodeRecordCodec;
import net.rhizome.net.record.NodeRecords;

/**
 * This node's own signed node record. The content comes from a supplier (roles, addresses, models
 * may change while the node runs); whenever it changes, the record is re-signed with a sequence
 * number that strictly increases (Unix milliseconds, bumped on collisions).
 */
public final class OwnRecord {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OwnRecord.class);
    private final KeyPair key;
    private final Supplier<NodeRecord> content;
    private NodeRecord last;
    private MutableItem signed;

    public OwnRecord(KeyPair key, Supplier<NodeRecord> content) {
        this.key = key;
        this.content = content;
    }

    /** The current record signed as a BEP 44 item (re-signed if the content changed). */
    public synchronized MutableItem signed() {
        NodeRecord now = content.get();
        if (signed == null || !now.withSeq(0).equals(last.withSeq(0))) {
            long seq = Math.max(System.currentTimeMillis(), last == null ? 0 : last.seq() + 1);
            NodeRecord next = now.withSeq(seq);
            try {
                signed = MutableItem.sign(key, NodeRecords.SALT.getBytes(java.nio.charset.StandardCharsets.US_ASCII), seq,
                        NodeRecordCodec.encode(next));
                last = next;
            } catch (IllegalArgumentException tooLarge) {
                if (signed == null) {
                    throw tooLarge;
                }
                log.warn("node record not updated, keeping seq {}: {}", last.seq(), tooLarge.getMessage());
            }
        }
        return signed;
    }

    public synchronized NodeRecord record() {
        signed();
        return last;
    }
}
