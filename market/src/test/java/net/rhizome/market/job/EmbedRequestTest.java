package net.rhizome.market.job;

import static net.rhizome.market.job.JobFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.proto.Embedding;
import net.rhizome.market.proto.SignedEmbedRequest;
import org.junit.jupiter.api.Test;

class EmbedRequestTest {
    static final List<int[]> INPUTS = List.of(new int[] {1, 2, 3}, new int[] {4}, new int[] {5, 6});

    static EmbedRequest request(int firstInput) {
        return new EmbedRequest(Hash32.sha256("e".getBytes()), MODEL, INPUTS, firstInput, 7, CHANNEL, GATEWAY.peerId(), WORKER.peerId(), 99);
    }

    @Test
    void aSignedRequestRoundTripsAndResumes() throws Exception {
        EmbedRequest parsed = EmbedRequest.verify(request(0).sign(GATEWAY));
        assertThat(parsed).isEqualTo(request(0));
        assertThat(parsed.input(2)).containsExactly(5, 6);
        assertThat(parsed.remainingTokens()).isEqualTo(6);
        EmbedRequest resumed = parsed.resumeOn(OTHER_WORKER.peerId(), CHANNEL_2, 9, 1);
        assertThat(resumed.remainingTokens()).isEqualTo(3);
        assertThat(resumed.largestRemainingInput()).isEqualTo(2);
        assertThat(EmbedRequest.verify(resumed.sign(GATEWAY))).isEqualTo(resumed);
    }

    @Test
    void theSenderAPayerNamesIsSignedAndOnlyItOrThePayerMaySendTheRequest() throws Exception {
        net.rhizome.core.crypto.PeerId node = net.rhizome.core.crypto.KeyPair.deterministic("gateway-node").peerId();
        SignedEmbedRequest named = request(0).sign(GATEWAY, node);
        assertThat(EmbedRequest.verify(named)).isEqualTo(request(0));
        assertThat(EmbedRequest.mayBeSentBy(named, node)).isTrue();
        assertThat(EmbedRequest.mayBeSentBy(named, GATEWAY.peerId())).isTrue();
        assertThat(EmbedRequest.mayBeSentBy(named, WORKER.peerId())).isFalse();
        assertThat(EmbedRequest.mayBeSentBy(request(0).sign(GATEWAY), node)).isFalse();
        SignedEmbedRequest renamed = named.toBuilder().setBody(request(0).toBody().toBuilder()
                .setSender(ByteString.copyFrom(WORKER.peerId().bytes())).build().toByteString()).build();
        assertThatThrownBy(() -> EmbedRequest.verify(renamed)).hasMessageContaining("signature does not match payer");
    }

    @Test
    void tamperingAndLimitsAreCaughtWithAReason() {
        SignedEmbedRequest signed = request(0).sign(GATEWAY);
        SignedEmbedRequest tampered = signed.toBuilder().setBody(request(1).toBody().toByteString()).build();
        assertThatThrownBy(() -> EmbedRequest.verify(tampered)).hasMessageContaining("signature does not match");
        assertThatThrownBy(() -> request(3)).hasMessageContaining("first input 3");
        assertThatThrownBy(() -> new EmbedRequest(Hash32.ZERO, MODEL, List.of(new int[0]), 0, 1, CHANNEL, GATEWAY.peerId(), WORKER.peerId(), 0))
                .hasMessageContaining("no tokens");
        assertThatThrownBy(() -> new EmbedRequest(Hash32.ZERO, MODEL, Collections.nCopies(EmbedRequest.MAX_INPUTS + 1, new int[] {1}), 0, 1,
                CHANNEL, GATEWAY.peerId(), WORKER.peerId(), 0)).hasMessageContaining("inputs");
        assertThatThrownBy(() -> EmbedRequest.verify(SignedEmbedRequest.newBuilder()
                .setBody(ByteString.copyFrom(new byte[EmbedRequest.MAX_REQUEST_BYTES + 1])).build())).hasMessageContaining("limit");
    }

    @Test
    void theGatewayRefusesWrongEmbeddingsAndPaysForRightOnes() throws Exception {
        EmbedGatewayStream stream = new EmbedGatewayStream(request(0), gatewayChannel(1_000), 2);
        EmbedChain chain = new EmbedChain(request(0).jobId(), 0);
        Hash32 head = new EmbedChain(request(0).jobId(), 0).append(0, new float[] {0.6f, 0.8f});
        Embedding good = Embedding.newBuilder().setIndex(0).addValues(0.6f).addValues(0.8f).setChainHash(ByteString.copyFrom(head.bytes())).build();
        assertThatThrownBy(() -> stream.onEmbedding(good.toBuilder().setIndex(1).build())).hasMessageContaining("expected 0");
        assertThatThrownBy(() -> stream.onEmbedding(good.toBuilder().addValues(1f).build())).hasMessageContaining("dimension is 2");
        assertThatThrownBy(() -> stream.onEmbedding(good.toBuilder().setValues(0, Float.NaN).build())).hasMessageContaining("not finite");
        assertThatThrownBy(() -> stream.onEmbedding(good.toBuilder().setValues(0, 0.5f).build())).hasMessageContaining("hash chain");
        EmbedGatewayStream.Accepted a = stream.onEmbedding(good);
        assertThat(a.voucher().cumulativeAmount()).isEqualTo(3 * 7);
        assertThat(chain.append(0, new float[] {0.6f, 0.8f})).isEqualTo(head);
        assertThat(stream.nextInput()).isEqualTo(1);
    }

    /** Fuzz-style: any bytes as a signed embedding request give a JobProtocolException, nothing else. */
    @Property(tries = 1000)
    void arbitraryBytesNeverCrashTheParser(@ForAll @Size(max = 300) byte[] body, @ForAll @Size(max = 70) byte[] sig) {
        SignedEmbedRequest r = SignedEmbedRequest.newBuilder().setBody(ByteString.copyFrom(body)).setSignature(ByteString.copyFrom(sig)).build();
        assertThatThrownBy(() -> EmbedRequest.verify(r)).isInstanceOf(JobProtocolException.class);
    }
}
