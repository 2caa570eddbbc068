package net.rhizome.market.job;

import java.util.List;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.ledger.Hash32;

/** Keys, channels and requests for job protocol tests. */
final class JobFixtures {
    static final KeyPair GATEWAY = KeyPair.deterministic("gateway");
    static final KeyPair WORKER = KeyPair.deterministic("worker");
    static final KeyPair OTHER_WORKER = KeyPair.deterministic("worker-2");
    static final Hash32 CHANNEL = Hash32.sha256("channel".getBytes());
    static final Hash32 CHANNEL_2 = Hash32.sha256("channel-2".getBytes());
    static final Hash32 MODEL = Hash32.sha256("model".getBytes());
    static final int VOCAB = 512;

    private JobFixtures() {}

    static JobRequest request(String job, int maxTokens, long price, int k) {
        return new JobRequest(Hash32.sha256(job.getBytes()), MODEL, new int[] {1, 17, 42}, SamplingParams.GREEDY,
                maxTokens, price, CHANNEL, GATEWAY.peerId(), WORKER.peerId(), new int[0], List.of(), k, 1_700_000_000_000L);
    }

    static GatewayChannel gatewayChannel(long deposit) {
        return new GatewayChannel(CHANNEL, GATEWAY, WORKER.peerId(), deposit, 0, 0);
    }

    static WorkerChannel workerChannel(long deposit) {
        return new WorkerChannel(CHANNEL, GATEWAY.peerId(), deposit);
    }

    /** The token a deterministic "model" emits at output position i (test data only). */
    static int token(int i) {
        return (i * 31 + 7) % VOCAB;
    }
}
