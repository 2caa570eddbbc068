package net.rhizome.net.dht;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import net.rhizome.core.bencode.BValue.BDict;

/**
 * One iterative Kademlia lookup: keeps the candidates sorted by XOR distance to the target,
 * keeps up to α queries in flight, and ends when the k closest live candidates have all
 * answered (or failed). Each candidate carries the round in which it was learnt (seeds from the
 * routing table are round 1), so the result reports the length of the longest chain of
 * sequential round trips the lookup needed.
 */
final class Lookup {
    /** A node that answered, with its response (tokens, peers, items live there). */
    record Answer(NodeInfo node, KrpcMessage.Response response) {}

    /**
     * @param closest the k closest nodes that answered, nearest first
     * @param answers every answer, in arrival order
     * @param rounds the deepest round queried
     * @param queries the number of queries sent
     */
    record Result(List<Answer> closest, List<Answer> answers, int rounds, int queries) {}

    interface Transport {
        CompletableFuture<KrpcMessage.Response> query(NodeInfo node, String method, BDict args);

        /** Nodes a response points to (its "nodes" or "nodes6"), already validated. */
        List<NodeInfo> nodesIn(KrpcMessage.Response response);
    }

    private enum State { NEW, IN_FLIGHT, ANSWERED, FAILED }

    private static final class Candidate {
        final NodeInfo node;
        final int round;
        State state = State.NEW;
        KrpcMessage.Response response;

        Candidate(NodeInfo node, int round) {
            this.node = node;
            this.round = round;
        }
    }

    private final NodeId self;
    private final NodeId target;
    private final String method;
    private final BDict args;
    private final int k;
    private final int alpha;
    private final int maxQueries;
    private final Transport transport;
    private final TreeMap<NodeId, Candidate> candidates;
    private final List<Answer> answers = new ArrayList<>();
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private int inFlight;
    private int queries;
    private int rounds;

    Lookup(NodeId self, NodeId target, String method, BDict args, int k, int alpha, Transport transport) {
        this.self = self;
        this.target = target;
        this.method = method;
        this.args = args;
        this.k = k;
        this.alpha = alpha;
        this.maxQueries = 20 * k;
        this.transport = transport;
        this.candidates = new TreeMap<>(target::compareDistance);
    }

    CompletableFuture<Result> run(List<NodeInfo> seeds) {
        synchronized (this) {
            seeds.forEach(n -> offer(n, 1));
        }
        step();
        return result;
    }

    private void offer(NodeInfo node, int round) {
        if (node.id().equals(self) || candidates.containsKey(node.id())) {
            return;
        }
        candidates.put(node.id(), new Candidate(node, round));
        // Keep memory bounded: forget the farthest candidates nobody has queried yet.
        while (candidates.size() > 8 * k) {
            Map.Entry<NodeId, Candidate> far = candidates.lastEntry();
            if (far.getValue().state != State.NEW) {
                break;
            }
            candidates.pollLastEntry();
        }
    }

    private void step() {
        List<Candidate> toQuery = new ArrayList<>();
        Result done = null;
        synchronized (this) {
            if (result.isDone()) {
                return;
            }
            int live = 0;
            for (Iterator<Candidate> it = candidates.values().iterator(); it.hasNext() && live < k; ) {
                Candidate c = it.next();
                if (c.state == State.FAILED) {
                    continue;
                }
                live++;
                if (c.state == State.NEW && inFlight < alpha && queries < maxQueries) {
                    c.state = State.IN_FLIGHT;
                    inFlight++;
                    queries++;
                    rounds = Math.max(rounds, c.round);
                    toQuery.add(c);
                }
            }
            if (inFlight == 0) {
                done = finish();
            }
        }
        if (done != null) {
            result.complete(done);
            return;
        }
        for (Candidate c : toQuery) {
            CompletableFuture<KrpcMessage.Response> reply;
            try {
                reply = transport.query(c.node, method, args);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e); // the lookup must still end
            }
            reply.whenComplete((r, error) -> {
                synchronized (this) {
                    inFlight--;
                    if (error != null) {
                        c.state = State.FAILED;
                    } else {
                        c.state = State.ANSWERED;
                        c.response = r;
                        answers.add(new Answer(c.node, r));
                        transport.nodesIn(r).forEach(n -> offer(n, c.round + 1));
                    }
                }
                step();
            });
        }
    }

    private Result finish() {
        List<Answer> closest = candidates.values().stream()
                .filter(c -> c.state == State.ANSWERED)
                .limit(k)
                .map(c -> new Answer(c.node, c.response))
                .toList();
        return new Result(closest, List.copyOf(answers), rounds, queries);
    }
}
