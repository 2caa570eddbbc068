package net.rhizome.market.job;

import static net.rhizome.market.job.JobFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.market.proto.EmbedGatewayMessage;
import net.rhizome.market.proto.EmbedWorkerMessage;
import net.rhizome.market.proto.GatewayMessage;
import net.rhizome.market.proto.WorkerMessage;

/**
 * Any bytes from the network as a gateway or worker message: parsing fails cleanly, or the message is
 * checked by the protocol and either accepted or refused with a {@link JobProtocolException} — never
 * another exception. Jazzer runs the seeds in normal builds; the jqwik property adds random bytes.
 */
class JobMessageFuzzTest {

    @FuzzTest
    void anyMessage(byte[] input) {
        check(input);
    }

    @Property(tries = 1000)
    void randomBytesNeverCrashTheChecks(@ForAll @Size(max = 400) byte[] input) {
        check(input);
    }

    static void check(byte[] input) {
        try {
            GatewayMessage g = GatewayMessage.parseFrom(input);
            if (g.hasRequest()) {
                JobRequest r = JobRequest.verify(g.getRequest());
                assertThat(r.maxTokens()).isBetween(1, JobLimits.MAX_OUTPUT_TOKENS);
            }
            if (g.hasVoucher()) {
                checkVoucher(g.getVoucher());
            }
        } catch (InvalidProtocolBufferException | JobProtocolException | DecodeException expected) {
            assertThat(expected.getMessage()).isNotNull();
        }
        try {
            WorkerMessage w = WorkerMessage.parseFrom(input);
            GatewayStream stream = new GatewayStream(request("fuzz", 64, 1, 16), gatewayChannel(1_000), VOCAB);
            if (w.hasChunk()) {
                GatewayStream.Accepted a = stream.onChunk(w.getChunk());
                assertThat(java.util.Arrays.stream(a.tokens()).allMatch(t -> t >= 0 && t < VOCAB)).isTrue();
                assertThat(a.tokens()).isNotEmpty();
            }
            if (w.hasReceipt()) {
                stream.onReceipt(w.getReceipt());
            }
        } catch (InvalidProtocolBufferException | JobProtocolException expected) {
            assertThat(expected.getMessage()).isNotNull();
        }
        checkEmbedding(input);
    }

    /** A worker that delivered 3 tokens takes any voucher message; whatever it claims, the write-off never goes below what is paid. */
    private static void checkVoucher(net.rhizome.market.proto.Voucher message) throws JobProtocolException, DecodeException {
        WorkerChannel wc = workerChannel(1_000);
        WorkerStream worker = new WorkerStream(request("fuzz-voucher", 64, 1, 16), WORKER, wc);
        for (int i = 0; i < 3; i++) {
            worker.emit(token(i), new byte[0]);
        }
        try {
            worker.onVoucher(VoucherMessage.voucher(message), VoucherMessage.jobPaid(message));
        } finally {
            worker.finish(FinishReason.CANCELLED);
            long lost = worker.writeOffUnpaid();
            assertThat(lost).isBetween(0L, 3L);
            assertThat(wc.earned()).isGreaterThanOrEqualTo(wc.paid());
        }
    }

    static void checkEmbedding(byte[] input) {
        try {
            EmbedGatewayMessage g = EmbedGatewayMessage.parseFrom(input);
            if (g.hasRequest()) {
                EmbedRequest r = EmbedRequest.verify(g.getRequest());
                assertThat(r.inputCount()).isBetween(1, EmbedRequest.MAX_INPUTS);
            }
        } catch (InvalidProtocolBufferException | JobProtocolException expected) {
            assertThat(expected.getMessage()).isNotNull();
        }
        try {
            EmbedWorkerMessage w = EmbedWorkerMessage.parseFrom(input);
            EmbedGatewayStream stream = new EmbedGatewayStream(EmbedRequestTest.request(0), gatewayChannel(1_000), 4);
            if (w.hasEmbedding()) {
                EmbedGatewayStream.Accepted a = stream.onEmbedding(w.getEmbedding());
                assertThat(a.values()).hasSize(4);
            }
            if (w.hasReceipt()) {
                stream.onReceipt(w.getReceipt());
            }
        } catch (InvalidProtocolBufferException | JobProtocolException expected) {
            assertThat(expected.getMessage()).isNotNull();
        }
    }
}
