package net.rhizome.node.ledger;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.BlockHeader;
import net.rhizome.ledger.GenesisConfig;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.Ledger;
import net.rhizome.ledger.RejectCode;
import net.rhizome.ledger.Rejection;
import net.rhizome.ledger.TxOutcome;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.state.StateEntry;
import net.rhizome.ledger.state.Totals;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.node.ledger.proto.AccountRequest;
import net.rhizome.node.ledger.proto.ChannelRequest;
import net.rhizome.node.ledger.proto.ChannelsRequest;
import net.rhizome.node.ledger.proto.Empty;
import net.rhizome.node.ledger.proto.EntryReply;
import net.rhizome.node.ledger.proto.HeaderReply;
import net.rhizome.node.ledger.proto.HistoryRequest;
import net.rhizome.node.ledger.proto.LedgerServiceGrpc;
import net.rhizome.node.ledger.proto.SubmitReply;
import net.rhizome.node.ledger.proto.SubmitRequest;

/**
 * The {@link Ledger} of another node, over the node transport. Every answer is decoded with the
 * ledger's own validating decoders; a malformed answer or a failed call is an
 * {@link IllegalStateException} naming the host. Submissions wait for the host's block commit.
 */
public final class RemoteLedger implements Ledger {
    private static final long QUERY_SECONDS = 10;
    private static final long SUBMIT_SECONDS = 60;

    private final ManagedChannel channel;
    private final String hostName;
    private final LedgerServiceGrpc.LedgerServiceBlockingStub blocking;
    private final LedgerServiceGrpc.LedgerServiceStub async;
    private volatile GenesisConfig genesis;

    public RemoteLedger(ManagedChannel channel, PeerId host) {
        this.channel = channel;
        this.hostName = "ledger host " + host.shortId();
        this.blocking = LedgerServiceGrpc.newBlockingStub(channel);
        this.async = LedgerServiceGrpc.newStub(channel);
    }

    private LedgerServiceGrpc.LedgerServiceBlockingStub query() {
        return blocking.withDeadlineAfter(QUERY_SECONDS, TimeUnit.SECONDS);
    }

    private <T> T call(java.util.function.Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException(hostName + ": " + e.getStatus().getCode() + " " + e.getStatus().getDescription(), e);
        }
    }

    private IllegalStateException malformed(DecodeException e) {
        return new IllegalStateException(hostName + " sent a malformed answer: " + e.getMessage(), e);
    }

    @Override
    public CompletableFuture<TxOutcome> submit(SignedTransaction tx) {
        CompletableFuture<TxOutcome> result = new CompletableFuture<>();
        async.withDeadlineAfter(SUBMIT_SECONDS, TimeUnit.SECONDS).submit(
                SubmitRequest.newBuilder().setTransaction(ByteString.copyFrom(tx.encode())).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(SubmitReply r) {
                        if (r.getAccepted()) {
                            result.complete(new TxOutcome.Accepted(tx.id(), r.getHeight(), r.getIndex()));
                            return;
                        }
                        RejectCode code;
                        try {
                            code = RejectCode.valueOf(r.getRejectCode());
                        } catch (IllegalArgumentException unknown) {
                            code = RejectCode.MALFORMED;
                        }
                        result.complete(new TxOutcome.Rejected(tx.id(), new Rejection(code, r.getRejectMessage())));
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(new IllegalStateException(hostName + ": " + t.getMessage(), t));
                    }

                    @Override
                    public void onCompleted() {
                        if (!result.isDone()) {
                            result.completeExceptionally(new IllegalStateException(hostName + " answered a submission with nothing"));
                        }
                    }
                });
        return result;
    }

    @Override
    public GenesisConfig genesis() {
        if (genesis == null) {
            try {
                genesis = GenesisConfig.decode(call(() -> query().genesis(Empty.getDefaultInstance())).getGenesis().toByteArray());
            } catch (DecodeException e) {
                throw malformed(e);
            }
        }
        return genesis;
    }

    @Override
    public BlockHeader head() {
        try {
            return BlockHeader.decode(call(() -> query().head(Empty.getDefaultInstance())).getHeader().toByteArray());
        } catch (DecodeException e) {
            throw malformed(e);
        }
    }

    private <T extends StateEntry> Optional<T> entry(EntryReply reply, Class<T> type) {
        if (!reply.getFound()) {
            return Optional.empty();
        }
        try {
            StateEntry e = StateEntry.decode(reply.getEntry().toByteArray());
            if (!type.isInstance(e)) {
                throw new IllegalStateException(hostName + " sent a " + e.getClass().getSimpleName() + " instead of a " + type.getSimpleName());
            }
            return Optional.of(type.cast(e));
        } catch (DecodeException e) {
            throw malformed(e);
        }
    }

    @Override
    public Optional<Account> account(PeerId id) {
        EntryReply r = call(() -> query().account(AccountRequest.newBuilder().setAccount(ByteString.copyFrom(id.bytes())).build()));
        return entry(r, Account.class);
    }

    @Override
    public Optional<Channel> channel(Hash32 id) {
        EntryReply r = call(() -> query().channel(ChannelRequest.newBuilder().setChannel(ByteString.copyFrom(id.bytes())).build()));
        return entry(r, Channel.class);
    }

    @Override
    public List<Channel> channels(PeerId party) {
        var reply = call(() -> query().channels(ChannelsRequest.newBuilder().setParty(ByteString.copyFrom(party.bytes())).build()));
        List<Channel> out = new ArrayList<>();
        for (ByteString b : reply.getEntriesList()) {
            out.add(entry(EntryReply.newBuilder().setFound(true).setEntry(b).build(), Channel.class).orElseThrow());
        }
        return out;
    }

    @Override
    public Totals totals() {
        return entry(call(() -> query().totals(Empty.getDefaultInstance())), Totals.class)
                .orElseThrow(() -> new IllegalStateException(hostName + " has no totals"));
    }

    @Override
    public List<TxRecord> history(PeerId account, int limit) {
        int bounded = Math.max(1, Math.min(limit, LedgerGrpcService.MAX_HISTORY));
        var reply = call(() -> query().history(HistoryRequest.newBuilder().setAccount(ByteString.copyFrom(account.bytes())).setLimit(bounded).build()));
        List<TxRecord> out = new ArrayList<>();
        try {
            for (var e : reply.getEntriesList()) {
                out.add(new TxRecord(e.getHeight(), e.getIndex(), SignedTransaction.decode(e.getTransaction().toByteArray())));
            }
        } catch (DecodeException e) {
            throw malformed(e);
        }
        return out;
    }

    @Override
    public AutoCloseable subscribe(Consumer<BlockHeader> listener) {
        var holder = new CompletableFuture<ClientCallStreamObserver<Empty>>();
        async.blocks(Empty.getDefaultInstance(), new ClientResponseObserver<Empty, HeaderReply>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<Empty> requestStream) {
                holder.complete(requestStream);
            }

            @Override
            public void onNext(HeaderReply value) {
                try {
                    listener.accept(BlockHeader.decode(value.getHeader().toByteArray()));
                } catch (DecodeException e) {
                    holder.join().cancel(hostName + " sent a malformed block header", e);
                }
            }

            @Override
            public void onError(Throwable t) {
                // cancelled by close() or the host went away; the subscriber sees no more blocks
            }

            @Override
            public void onCompleted() {
            }
        });
        return () -> holder.join().cancel("unsubscribed", null);
    }

    /** Closes the connection to the host. */
    @Override
    public void close() {
        channel.shutdownNow();
    }
}
