package net.rhizome.net.dht;

import java.util.Arrays;
import net.rhizome.core.bencode.BValue.BDict;

/** One KRPC message (BEP 5): a query, a response or an error, each with its transaction id. */
public sealed interface KrpcMessage permits KrpcMessage.Query, KrpcMessage.Response, KrpcMessage.Error {

    byte[] transactionId();

    /** The sender's id for queries and responses. */
    record Query(byte[] transactionId, String method, NodeId sender, BDict args, boolean readOnly) implements KrpcMessage {
        public Query {
            transactionId = transactionId.clone();
        }

        @Override
        public byte[] transactionId() {
            return transactionId.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Query q && Arrays.equals(transactionId, q.transactionId) && method.equals(q.method)
                    && sender.equals(q.sender) && args.equals(q.args) && readOnly == q.readOnly;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(transactionId) * 31 + args.hashCode();
        }
    }

    record Response(byte[] transactionId, NodeId sender, BDict values) implements KrpcMessage {
        public Response {
            transactionId = transactionId.clone();
        }

        @Override
        public byte[] transactionId() {
            return transactionId.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Response r && Arrays.equals(transactionId, r.transactionId) && sender.equals(r.sender) && values.equals(r.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(transactionId) * 31 + values.hashCode();
        }
    }

    record Error(byte[] transactionId, long code, String message) implements KrpcMessage {
        public static final int GENERIC = 201;
        public static final int SERVER = 202;
        public static final int PROTOCOL = 203;
        public static final int METHOD_UNKNOWN = 204;
        public static final int VALUE_TOO_BIG = 205;
        public static final int INVALID_SIGNATURE = 206;
        public static final int SALT_TOO_BIG = 207;
        public static final int CAS_MISMATCH = 301;
        public static final int SEQ_TOO_LOW = 302;

        public Error {
            transactionId = transactionId.clone();
        }

        @Override
        public byte[] transactionId() {
            return transactionId.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Error e && Arrays.equals(transactionId, e.transactionId) && code == e.code && message.equals(e.message);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(transactionId) * 31 + Long.hashCode(code);
        }
    }
}
