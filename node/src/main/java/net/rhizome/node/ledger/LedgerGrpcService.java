package net.rhizome.node.ledger;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.Ledger;
import net.rhizome.ledger.TxOutcome;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.state.StateEntry;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.node.ledger.proto.AccountRequest;
import net.rhizome.node.ledger.proto.ChannelRequest;
import net.rhizome.node.ledger.proto.ChannelsRequest;
import net.rhizome.node.ledger.proto.Empty;
import net.rhizome.node.ledger.proto.EntriesReply;
import net.rhizome.node.ledger.proto.EntryReply;
import net.rhizome.node.ledger.proto.GenesisReply;
import net.rhizome.node.ledger.proto.HeaderReply;
import net.rhizome.node.ledger.proto.HistoryEntry;
import net.rhizome.node.ledger.proto.HistoryReply;
import net.rhizome.node.ledger.proto.HistoryRequest;
import net.rhizome.node.ledger.proto.LedgerServiceGrpc;
import net.rhizome.node.ledger.proto.SubmitReply;
import net.rhizome.node.ledger.proto.SubmitRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The hosting node's ledger, served to other nodes. Malformed requests get INVALID_ARGUMENT naming the field. */
final class LedgerGrpcService extends LedgerServiceGrpc.LedgerServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(LedgerGrpcService.class);
    static final int MAX_HISTORY = 1000;

    private final Ledger ledger;

    LedgerGrpcService(Ledger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void submit(SubmitRequest request, StreamObserver<SubmitReply> out) {
        SignedTransaction tx;
        try {
            tx = SignedTransaction.decode(request.getTransaction().toByteArray());
        } catch (DecodeException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        ledger.submit(tx).whenComplete((outcome, error) -> {
            if (error != null) {
                out.onError(Status.INTERNAL.withDescription("ledger failed: " + error.getMessage()).asRuntimeException());
                return;
            }
            SubmitReply.Builder b = SubmitReply.newBuilder().setTxId(ByteString.copyFrom(outcome.txId().bytes()));
            switch (outcome) {
                case TxOutcome.Accepted a -> b.setAccepted(true).setHeight(a.height()).setIndex(a.index());
                case TxOutcome.Rejected r -> b.setAccepted(false).setRejectCode(r.rejection().code().name())
                        .setRejectMessage(r.rejection().message());
            }
            out.onNext(b.build());
            out.onCompleted();
        });
    }

    @Override
    public void account(AccountRequest request, StreamObserver<EntryReply> out) {
        PeerId id = peer(request.getAccount(), "account", out);
        if (id != null) {
            reply(ledger.account(id), out);
        }
    }

    @Override
    public void channel(ChannelRequest request, StreamObserver<EntryReply> out) {
        if (request.getChannel().size() != Hash32.LENGTH) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("channel id must be 32 bytes, got " + request.getChannel().size()).asRuntimeException());
            return;
        }
        reply(ledger.channel(Hash32.of(request.getChannel().toByteArray())), out);
    }

    @Override
    public void channels(ChannelsRequest request, StreamObserver<EntriesReply> out) {
        PeerId id = peer(request.getParty(), "party", out);
        if (id != null) {
            EntriesReply.Builder b = EntriesReply.newBuilder();
            ledger.channels(id).forEach(c -> b.addEntries(ByteString.copyFrom(c.encode())));
            out.onNext(b.build());
            out.onCompleted();
        }
    }

    @Override
    public void totals(Empty request, StreamObserver<EntryReply> out) {
        reply(Optional.of(ledger.totals()), out);
    }

    @Override
    public void history(HistoryRequest request, StreamObserver<HistoryReply> out) {
        PeerId id = peer(request.getAccount(), "account", out);
        if (id == null) {
            return;
        }
        if (request.getLimit() < 1 || request.getLimit() > MAX_HISTORY) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("history limit must be 1.." + MAX_HISTORY).asRuntimeException());
            return;
        }
        HistoryReply.Builder b = HistoryReply.newBuilder();
        for (Ledger.TxRecord r : ledger.history(id, request.getLimit())) {
            b.addEntries(HistoryEntry.newBuilder().setHeight(r.height()).setIndex(r.index()).setTransaction(ByteString.copyFrom(r.tx().encode())));
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void head(Empty request, StreamObserver<HeaderReply> out) {
        out.onNext(HeaderReply.newBuilder().setHeader(ByteString.copyFrom(ledger.head().encode())).build());
        out.onCompleted();
    }

    @Override
    public void genesis(Empty request, StreamObserver<GenesisReply> out) {
        out.onNext(GenesisReply.newBuilder().setGenesis(ByteString.copyFrom(ledger.genesis().encode())).build());
        out.onCompleted();
    }

    @Override
    public void blocks(Empty request, StreamObserver<HeaderReply> out) {
        ServerCallStreamObserver<HeaderReply> stream = (ServerCallStreamObserver<HeaderReply>) out;
        AutoCloseable subscription = ledger.subscribe(header -> {
            synchronized (stream) {
                if (!stream.isCancelled()) {
                    stream.onNext(HeaderReply.newBuilder().setHeader(ByteString.copyFrom(header.encode())).build());
                }
            }
        });
        stream.setOnCancelHandler(() -> {
            try {
                subscription.close();
            } catch (Exception e) {
                log.debug("closing a block subscription failed", e);
            }
        });
    }

    private static <T> PeerId peer(ByteString bytes, String what, StreamObserver<T> out) {
        if (bytes.size() != PeerId.LENGTH) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(what + " must be 32 bytes, got " + bytes.size()).asRuntimeException());
            return null;
        }
        return PeerId.of(bytes.toByteArray());
    }

    private static void reply(Optional<? extends StateEntry> entry, StreamObserver<EntryReply> out) {
        EntryReply.Builder b = EntryReply.newBuilder().setFound(entry.isPresent());
        entry.ifPresent(e -> b.setEntry(ByteString.copyFrom(e.encode())));
        out.onNext(b.build());
        out.onCompleted();
    }
}
