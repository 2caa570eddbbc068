package net.rhizome.market.job;

import static net.rhizome.market.job.JobFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.proto.SignedJobRequest;
import net.rhizome.market.proto.SignedReceipt;
import org.junit.jupiter.api.Test;

class JobRequestTest {

    @Test
    void aSignedRequestRoundTrips() throws Exception {
        JobRequest request = new JobRequest(Hash32.sha256("j".getBytes()), MODEL, new int[] {5, 6, 7},
                new SamplingParams(0.7f, 0.9f, 40, 0.05f, 1.1f, 1234L), 64, 3, CHANNEL, GATEWAY.peerId(),
                WORKER.peerId(), new int[] {9}, List.of("\n\n"), 16, 99L);
        JobRequest parsed = JobRequest.verify(request.sign(GATEWAY));
        assertThat(parsed).isEqualTo(request);
        assertThat(parsed.sampling()).isEqualTo(request.sampling());
        assertThat(parsed.resumedTokens()).containsExactly(9);
        assertThat(parsed.stop()).containsExactly("\n\n");
    }

    @Test
    void aTamperedRequestIsRejected() {
        SignedJobRequest signed = request("j", 10, 1, 16).sign(GATEWAY);
        JobRequest raised = request("j", 10, 1000, 16);
        SignedJobRequest tampered = signed.toBuilder().setBody(raised.toBody().toByteString()).build();
        assertThatThrownBy(() -> JobRequest.verify(tampered)).isInstanceOf(JobProtocolException.class)
                .hasMessageContaining("signature does not match payer");
        assertThatThrownBy(() -> request("j", 10, 1, 16).sign(WORKER)).hasMessageContaining("signed by its payer");
    }

    @Test
    void theSenderAPayerNamesIsSignedAndOnlyItOrThePayerMaySendTheRequest() throws Exception {
        net.rhizome.core.crypto.KeyPair node = net.rhizome.core.crypto.KeyPair.deterministic("gateway-node");
        SignedJobRequest named = request("j", 10, 1, 16).sign(GATEWAY, node.peerId());
        assertThat(JobRequest.verify(named)).isEqualTo(request("j", 10, 1, 16));
        assertThat(JobRequest.mayBeSentBy(named, node.peerId())).isTrue();
        assertThat(JobRequest.mayBeSentBy(named, GATEWAY.peerId())).isTrue();
        assertThat(JobRequest.mayBeSentBy(named, WORKER.peerId())).isFalse();
        SignedJobRequest plain = request("j", 10, 1, 16).sign(GATEWAY);
        assertThat(JobRequest.mayBeSentBy(plain, node.peerId())).isFalse();
        SignedJobRequest renamed = named.toBuilder().setBody(request("j", 10, 1, 16).toBody().toBuilder()
                .setSender(ByteString.copyFrom(WORKER.peerId().bytes())).build().toByteString()).build();
        assertThatThrownBy(() -> JobRequest.verify(renamed)).hasMessageContaining("signature does not match payer");
    }

    @Test
    void requestsOutsideTheLimitsAreRejectedWithAReason() {
        SignedJobRequest tooBig = SignedJobRequest.newBuilder()
                .setBody(ByteString.copyFrom(new byte[JobLimits.MAX_REQUEST_BYTES + 1])).build();
        assertThatThrownBy(() -> JobRequest.verify(tooBig)).hasMessageContaining("limit");
        assertThatThrownBy(() -> request("j", 0, 1, 16)).hasMessageContaining("max tokens must be 1..");
        assertThatThrownBy(() -> request("j", 10, 1, 0)).hasMessageContaining("voucher interval");
        assertThatThrownBy(() -> new SamplingParams(3f, 1f, 0, 0f, 1f, 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingParams(Float.NaN, 1f, 0, 0f, 1f, 0)).hasMessageContaining("temperature");
        SignedJobRequest wrongVersion = request("j", 10, 1, 16).sign(GATEWAY);
        SignedJobRequest v2 = wrongVersion.toBuilder()
                .setBody(request("j", 10, 1, 16).toBody().toBuilder().setProtocolVersion(2).build().toByteString()).build();
        assertThatThrownBy(() -> JobRequest.verify(v2)).hasMessageContaining("protocol version 2");
    }

    /** Fuzz-style: any bytes as a request or receipt body give a JobProtocolException, nothing else. */
    @Property(tries = 2000)
    void arbitraryBytesNeverCrashTheParsers(@ForAll @Size(max = 300) byte[] body, @ForAll @Size(max = 70) byte[] sig) {
        SignedJobRequest request = SignedJobRequest.newBuilder().setBody(ByteString.copyFrom(body)).setSignature(ByteString.copyFrom(sig)).build();
        SignedReceipt receipt = SignedReceipt.newBuilder().setBody(ByteString.copyFrom(body)).setSignature(ByteString.copyFrom(sig)).build();
        assertThatThrownBy(() -> JobRequest.verify(request)).isInstanceOf(JobProtocolException.class);
        assertThatThrownBy(() -> Receipt.verify(receipt)).isInstanceOf(JobProtocolException.class);
    }

    /** Mutating one byte of a valid signed request is always caught. */
    @Property(tries = 300)
    void anyFlippedByteIsCaught(@ForAll @IntRange(min = 0, max = 10_000) int position, @ForAll @IntRange(min = 1, max = 255) int flip) {
        byte[] body = request("j", 10, 1, 16).sign(GATEWAY).getBody().toByteArray();
        SignedJobRequest signed = request("j", 10, 1, 16).sign(GATEWAY);
        body[position % body.length] ^= (byte) flip;
        SignedJobRequest mutated = signed.toBuilder().setBody(ByteString.copyFrom(body)).build();
        assertThatThrownBy(() -> JobRequest.verify(mutated)).isInstanceOf(JobProtocolException.class);
    }
}
