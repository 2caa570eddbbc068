package net.rhizome.market.job;

import static net.rhizome.market.job.JobFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.tx.Voucher;
import net.rhizome.market.proto.SignedReceipt;
import net.rhizome.market.proto.TokenChunk;
import org.junit.jupiter.api.Test;

class JobStreamTest {

    @Test
    void aFullJobIsPaidForEveryDeliveredTokenAndTheReceiptMatches() throws Exception {
        JobRequest request = request("job-1", 37, 5, 16);
        GatewayChannel gc = gatewayChannel(1_000);
        WorkerChannel wc = workerChannel(1_000);
        WorkerStream worker = new WorkerStream(request, WORKER, wc);
        GatewayStream gateway = new GatewayStream(request, gc, VOCAB);
        int vouchers = 0;
        for (int i = 0; !worker.full(); i++) {
            assertThat(worker.awaitPayment(Duration.ZERO, () -> false)).as("token %d may be sent", i).isTrue();
            GatewayStream.Accepted accepted = gateway.onChunk(worker.emit(token(i), ("t" + i).getBytes()));
            assertThat(accepted.tokens()).containsExactly(token(i));
            if (accepted.voucher().isPresent()) {
                worker.onVoucher(accepted.voucher().get(), gateway.paid());
                vouchers++;
            }
        }
        assertThat(vouchers).isEqualTo(2); // after 16 and 32 tokens
        Receipt receipt = gateway.onReceipt(worker.finish(FinishReason.LENGTH));
        assertThat(receipt.tokenCount()).isEqualTo(37);
        assertThat(receipt.outputHash()).isEqualTo(TokenChain.over(request.jobId(), gateway.output()));
        worker.onVoucher(gateway.payDelivered().orElseThrow(), gateway.paid());
        assertThat(worker.writeOffUnpaid()).as("a fully paid job leaves nothing to write off").isZero();
        assertThat(wc.paid()).isEqualTo(wc.earned()).isEqualTo(37 * 5);
        assertThat(gc.vouched()).isEqualTo(37 * 5);
        assertThat(gateway.payDelivered()).isEmpty();
    }

    @Test
    void aWorkerStopsAfterKUnpaidTokens() throws Exception {
        JobRequest request = request("job-unpaid", 100, 3, 16);
        WorkerChannel wc = workerChannel(1_000);
        WorkerStream worker = new WorkerStream(request, WORKER, wc);
        GatewayStream gateway = new GatewayStream(request, gatewayChannel(1_000), VOCAB);
        for (int i = 0; i < 16; i++) {
            assertThat(worker.awaitPayment(Duration.ZERO, () -> false)).isTrue();
            gateway.onChunk(worker.emit(token(i), new byte[0])); // this gateway never sends its vouchers
        }
        assertThat(worker.awaitPayment(Duration.ofMillis(20), () -> false)).isFalse();
        assertThatThrownBy(() -> worker.emit(token(16), new byte[0])).hasMessageContaining("more than 16 tokens unpaid");
        assertThat(worker.delivered()).isEqualTo(16);
        assertThat(Receipt.verify(worker.finish(FinishReason.CANCELLED)).finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(wc.paid()).isZero();
    }

    @Test
    void aLateVoucherWakesAWaitingWorker() throws Exception {
        JobRequest request = request("job-late", 10, 2, 1);
        WorkerChannel wc = workerChannel(100);
        WorkerStream worker = new WorkerStream(request, WORKER, wc);
        GatewayStream gateway = new GatewayStream(request, gatewayChannel(100), VOCAB);
        Voucher v = gateway.onChunk(worker.emit(token(0), new byte[0])).voucher().orElseThrow();
        Thread payer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
                wc.onVoucher(v);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(worker.awaitPayment(Duration.ofSeconds(30), () -> false)).isTrue();
        payer.join();
    }

    @Test
    void aRestartedGatewayIsNotBlockedByTokensItsPredecessorNeverPaid() throws Exception {
        WorkerChannel wc = workerChannel(10_000);
        GatewayChannel beforeCrash = gatewayChannel(10_000);
        JobRequest first = request("before-crash", 100, 5, 16);
        WorkerStream w1 = new WorkerStream(first, WORKER, wc);
        GatewayStream g1 = new GatewayStream(first, beforeCrash, VOCAB);
        for (int i = 0; i < 16; i++) {
            assertThat(w1.awaitPayment(Duration.ZERO, () -> false)).isTrue();
            TokenChunk chunk = w1.emit(token(i), new byte[0]);
            if (i < 10) {
                g1.onChunk(chunk); // the last six are still in flight when the gateway process is killed
            }
        }
        w1.finish(FinishReason.CANCELLED);

        // the restarted gateway continues the channel from its journal: nothing vouched yet
        GatewayChannel restarted = new GatewayChannel(CHANNEL, GATEWAY, WORKER.peerId(), 10_000, beforeCrash.vouched(), beforeCrash.nonce());
        JobRequest second = request("after-restart", 40, 5, 16);
        WorkerStream w2 = new WorkerStream(second, WORKER, wc);
        assertThat(w2.awaitPayment(Duration.ZERO, () -> false))
                .as("16 unpaid tokens of the dead job fill the new job's allowance: the gateway would wait for a token that never comes")
                .isFalse();

        assertThat(w1.writeOffUnpaid()).isEqualTo(16 * 5);
        GatewayStream g2 = new GatewayStream(second, restarted, VOCAB);
        while (!w2.full()) {
            assertThat(w2.awaitPayment(Duration.ZERO, () -> false)).isTrue();
            g2.onChunk(w2.emit(token(w2.delivered()), new byte[0])).voucher()
                    .ifPresent(v -> uncheck(() -> w2.onVoucher(v, g2.paid())));
        }
        w2.finish(FinishReason.LENGTH);
        w2.onVoucher(g2.payDelivered().orElseThrow(), g2.paid());
        assertThat(w2.writeOffUnpaid()).isZero();
        assertThat(wc.paid()).as("the worker is paid for what the restarted gateway received, no more").isEqualTo(40 * 5);
    }

    @Test
    void aWriteOffNeverReachesBelowWhatIsPaidAndALateVoucherIsStillCounted() throws Exception {
        WorkerChannel wc = workerChannel(10_000);
        GatewayChannel gc = gatewayChannel(10_000);
        JobRequest request = request("late", 8, 5, 16);
        WorkerStream w = new WorkerStream(request, WORKER, wc);
        GatewayStream g = new GatewayStream(request, gc, VOCAB);
        while (!w.full()) {
            assertThat(w.awaitPayment(Duration.ZERO, () -> false)).isTrue();
            g.onChunk(w.emit(token(w.delivered()), new byte[0]));
        }
        w.finish(FinishReason.LENGTH);
        Voucher last = g.payDelivered().orElseThrow(); // lost on the way: the stream closed first
        assertThat(w.writeOffUnpaid()).isEqualTo(40);
        assertThat(wc.earned()).isZero();

        // the gateway's next job on the channel carries the cumulative total, so the late payment arrives
        JobRequest next = request("next", 4, 5, 16);
        WorkerStream w2 = new WorkerStream(next, WORKER, wc);
        w2.onVoucher(last, 0);
        assertThat(wc.paid()).isEqualTo(40);
        assertThat(wc.earned()).as("paid work counts as earned again, so no extra unpaid room appears").isEqualTo(40);
        for (int i = 0; i < 4; i++) {
            assertThat(w2.awaitPayment(Duration.ZERO, () -> false)).isTrue();
            w2.emit(token(i), new byte[0]);
        }
        assertThat(wc.earned() - wc.paid()).isEqualTo(20);
        assertThat(wc.writeOff(1_000)).as("never below the vouchers").isEqualTo(20);
        assertThat(wc.earned()).isEqualTo(wc.paid());
    }

    @Property(tries = 200)
    void whateverAGatewayClaimsAWriteOffStaysWithinWhatTheJobLeftUnpaid(
            @ForAll @IntRange(min = 1, max = 60) int delivered,
            @ForAll @IntRange(min = 0, max = 60) int paidTokens,
            @ForAll @LongRange(min = 0, max = 1_000) long claimedJobPaid) throws Exception {
        long price = 3;
        WorkerChannel wc = workerChannel(1_000_000);
        WorkerStream w = new WorkerStream(request("claims", 100, price, 64), WORKER, wc);
        for (int i = 0; i < delivered; i++) {
            w.emit(token(i), new byte[0]);
        }
        long paid = Math.min(paidTokens, delivered) * price;
        w.onVoucher(Voucher.sign(GATEWAY, CHANNEL, paid, 1), claimedJobPaid);
        w.finish(FinishReason.CANCELLED);
        long unpaid = delivered * price - paid;
        long lost = w.writeOffUnpaid();
        assertThat(lost).isBetween(0L, unpaid).isEqualTo(Math.max(0, Math.min(unpaid, delivered * price - claimedJobPaid)));
        assertThat(wc.earned()).isEqualTo(delivered * price - lost).isGreaterThanOrEqualTo(wc.paid());
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void uncheck(ThrowingRunnable r) {
        try {
            r.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Property(tries = 100)
    void neitherSideRisksMoreThanKTokens(
            @ForAll @IntRange(min = 1, max = 20) int k,
            @ForAll @IntRange(min = 1, max = 120) int maxTokens,
            @ForAll @LongRange(min = 1, max = 9) long price,
            @ForAll @Size(max = 200) boolean[] voucherLost) throws Exception {
        JobRequest request = request("prop", maxTokens, price, k);
        WorkerChannel wc = workerChannel(1_000_000);
        WorkerStream worker = new WorkerStream(request, WORKER, wc);
        GatewayStream gateway = new GatewayStream(request, gatewayChannel(1_000_000), VOCAB);
        int sent = 0;
        while (!worker.full() && worker.awaitPayment(Duration.ZERO, () -> false)) {
            Optional<Voucher> v = gateway.onChunk(worker.emit(token(sent), new byte[0])).voucher();
            boolean lost = sent < voucherLost.length && voucherLost[sent];
            sent++;
            if (v.isPresent() && !lost) {
                wc.onVoucher(v.get());
            }
            assertThat(wc.earned() - wc.paid()).as("worker's unpaid credit").isLessThanOrEqualTo(k * price);
            assertThat(gateway.received() - gateway.paidTokens()).as("gateway's unpaid tokens").isLessThan(k);
        }
        assertThat(wc.paid()).isLessThanOrEqualTo(wc.earned());
        assertThat(gateway.received()).isEqualTo(worker.delivered());
    }

    @Test
    void twoJobsOnOneChannelShareItsAllowance() throws Exception {
        WorkerChannel wc = workerChannel(1_000);
        WorkerStream a = new WorkerStream(request("a", 50, 1, 4), WORKER, wc);
        WorkerStream b = new WorkerStream(request("b", 50, 1, 4), WORKER, wc);
        int sent = 0;
        while (a.awaitPayment(Duration.ZERO, () -> false)) {
            a.emit(token(sent++), new byte[0]);
        }
        assertThat(sent).isEqualTo(8);
        b.finish(FinishReason.STOP);
        assertThat(a.awaitPayment(Duration.ZERO, () -> false)).isFalse();
    }

    @Test
    void concurrentJobsOnOneChannelNeverOverrunEachOther() throws Exception {
        WorkerChannel wc = workerChannel(1_000_000);
        GatewayChannel gc = gatewayChannel(1_000_000);
        int jobs = 8;
        int tokens = 60;
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            JobRequest r = request("concurrent-" + j, tokens, 2, 4);
            WorkerStream w = new WorkerStream(r, WORKER, wc);
            GatewayStream g = new GatewayStream(r, gc, VOCAB);
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < tokens; i++) {
                        assertThat(w.awaitPayment(Duration.ofSeconds(30), () -> false)).isTrue();
                        var voucher = g.onChunk(w.emit(token(i), new byte[0])).voucher();
                        if (voucher.isPresent()) {
                            wc.onVoucher(voucher.get());
                        }
                        Thread.yield();
                    }
                    var last = g.payDelivered(); // empty when the last K-token voucher already covered everything
                    if (last.isPresent()) {
                        wc.onVoucher(last.get());
                    }
                    w.finish(FinishReason.LENGTH);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failure.get()).as("first failure").isNull();
        assertThat(wc.earned()).isEqualTo((long) jobs * tokens * 2);
        assertThat(gc.vouched()).isEqualTo(wc.earned());
    }

    @Test
    void aWorkerNeverRunsPastTheDeposit() throws Exception {
        WorkerChannel wc = workerChannel(10);
        WorkerStream worker = new WorkerStream(request("poor", 50, 5, 16), WORKER, wc);
        worker.emit(token(0), new byte[0]);
        worker.emit(token(1), new byte[0]);
        assertThat(worker.awaitPayment(Duration.ZERO, () -> false)).isFalse();
    }

    @Test
    void failOverContinuesTheSameChainAndOutput() throws Exception {
        JobRequest request = request("job-failover", 20, 1, 16);
        WorkerStream first = new WorkerStream(request, WORKER, workerChannel(100));
        GatewayStream g1 = new GatewayStream(request, gatewayChannel(100), VOCAB);
        for (int i = 0; i < 7; i++) {
            g1.onChunk(first.emit(token(i), new byte[0]));
        }
        // the first worker dies here; the gateway pays what it delivered and resumes on the next one
        assertThat(g1.payDelivered().orElseThrow().cumulativeAmount()).isEqualTo(7);
        JobRequest resumed = request.resumeOn(OTHER_WORKER.peerId(), CHANNEL_2, 1, g1.output());
        JobRequest onWire = JobRequest.verify(resumed.sign(GATEWAY));
        WorkerStream second = new WorkerStream(onWire, OTHER_WORKER, new WorkerChannel(CHANNEL_2, GATEWAY.peerId(), 100));
        GatewayStream g2 = new GatewayStream(onWire, new GatewayChannel(CHANNEL_2, GATEWAY, OTHER_WORKER.peerId(), 100, 0, 0), VOCAB);
        for (int i = 7; !second.full(); i++) {
            g2.onChunk(second.emit(token(i), new byte[0]));
        }
        Receipt receipt = g2.onReceipt(second.finish(FinishReason.LENGTH));
        int[] expected = new int[20];
        for (int i = 0; i < 20; i++) {
            expected[i] = token(i);
        }
        assertThat(g2.output()).containsExactly(expected);
        assertThat(receipt.firstIndex()).isEqualTo(7);
        assertThat(receipt.tokenCount()).isEqualTo(13);
        assertThat(receipt.outputHash()).isEqualTo(TokenChain.over(request.jobId(), expected));
        assertThat(g2.payDelivered().orElseThrow().cumulativeAmount()).isEqualTo(13);
    }

    @Test
    void invalidChunksAreDetected() throws Exception {
        JobRequest request = request("job-bad", 4, 1, 16);
        WorkerStream worker = new WorkerStream(request, WORKER, workerChannel(100));
        GatewayStream gateway = new GatewayStream(request, gatewayChannel(100), VOCAB);
        TokenChunk good = worker.emit(token(0), new byte[0]);

        assertThatThrownBy(() -> gateway.onChunk(good.toBuilder().setTokens(0, token(0) + 1).build()))
                .isInstanceOf(JobProtocolException.class).hasMessageContaining("hash chain");
        assertThatThrownBy(() -> gateway.onChunk(good.toBuilder().setIndex(1).build()))
                .isInstanceOf(JobProtocolException.class).hasMessageContaining("expected 0");
        assertThatThrownBy(() -> gateway.onChunk(good.toBuilder().setTokens(0, VOCAB).build()))
                .isInstanceOf(JobProtocolException.class).hasMessageContaining("outside the vocabulary");
        assertThatThrownBy(() -> gateway.onChunk(good.toBuilder().clearTokens().build()))
                .isInstanceOf(JobProtocolException.class).hasMessageContaining("has 0 tokens");
        assertThatThrownBy(() -> gateway.onChunk(good.toBuilder().setChainHash(ByteString.copyFrom(new byte[5])).build()))
                .isInstanceOf(JobProtocolException.class).hasMessageContaining("hash chain");
        assertThatThrownBy(() -> gateway.onChunk(good.toBuilder().addTokens(1).addTokens(2).addTokens(3).addTokens(4).build()))
                .isInstanceOf(JobProtocolException.class).hasMessageContaining("past max tokens");
        assertThat(gateway.received()).isZero();

        gateway.onChunk(good);
        assertThat(gateway.received()).isEqualTo(1);
    }

    @Test
    void receiptsThatDoNotMatchAreRejected() throws Exception {
        JobRequest request = request("job-receipt", 4, 1, 16);
        WorkerStream worker = new WorkerStream(request, WORKER, workerChannel(100));
        GatewayStream gateway = new GatewayStream(request, gatewayChannel(100), VOCAB);
        gateway.onChunk(worker.emit(token(0), new byte[0]));
        gateway.onChunk(worker.emit(token(1), new byte[0]));

        SignedReceipt shortCount = new Receipt(request.jobId(), WORKER.peerId(), gateway.outputHash(), 0, 1, FinishReason.STOP).sign(WORKER);
        assertThatThrownBy(() -> gateway.onReceipt(shortCount)).hasMessageContaining("received 0+2");
        SignedReceipt wrongHash = new Receipt(request.jobId(), WORKER.peerId(), Hash32.ZERO, 0, 2, FinishReason.STOP).sign(WORKER);
        assertThatThrownBy(() -> gateway.onReceipt(wrongHash)).hasMessageContaining("output hash");
        SignedReceipt forged = worker.finish(FinishReason.STOP).toBuilder()
                .setSignature(ByteString.copyFrom(new byte[64])).build();
        assertThatThrownBy(() -> gateway.onReceipt(forged)).hasMessageContaining("signature");
    }

    @Test
    void vouchersAreChecked() throws Exception {
        WorkerChannel wc = workerChannel(100);
        assertThatThrownBy(() -> wc.onVoucher(Voucher.sign(WORKER, CHANNEL, 5, 1))).hasMessageContaining("signature");
        assertThatThrownBy(() -> wc.onVoucher(Voucher.sign(GATEWAY, CHANNEL_2, 5, 1))).hasMessageContaining("not " + CHANNEL.shortHex());
        assertThatThrownBy(() -> wc.onVoucher(Voucher.sign(GATEWAY, CHANNEL, 101, 1))).hasMessageContaining("exceeds the channel deposit");
        assertThat(wc.onVoucher(Voucher.sign(GATEWAY, CHANNEL, 10, 2))).isTrue();
        assertThat(wc.onVoucher(Voucher.sign(GATEWAY, CHANNEL, 8, 1))).as("older voucher is superseded").isFalse();
        assertThatThrownBy(() -> wc.onVoucher(Voucher.sign(GATEWAY, CHANNEL, 9, 3))).hasMessageContaining("fell from 10 to 9");
        assertThat(wc.paid()).isEqualTo(10);
    }

    @Test
    void aWorkerRefusesJobsNotMeantForIt() {
        JobRequest request = request("job-x", 4, 1, 16);
        assertThatThrownBy(() -> new WorkerStream(request, OTHER_WORKER, workerChannel(100)))
                .hasMessageContaining("is for worker");
        assertThatThrownBy(() -> new WorkerStream(request, WORKER, new WorkerChannel(CHANNEL_2, GATEWAY.peerId(), 100)))
                .hasMessageContaining("channel");
    }
}
