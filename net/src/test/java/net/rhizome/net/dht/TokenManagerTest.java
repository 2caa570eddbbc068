package net.rhizome.net.dht;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenManagerTest {
    private final MutableClock clock = new MutableClock();
    private final TokenManager tokens = new TokenManager(clock, Duration.ofMinutes(5));

    @Test
    void tokenIsBoundToTheRequesterIp() throws Exception {
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");
        byte[] token = tokens.tokenFor(a);
        assertThat(tokens.isValid(token, a)).isTrue();
        assertThat(tokens.isValid(token, b)).isFalse();
        assertThat(tokens.isValid(new byte[token.length], a)).isFalse();
        assertThat(tokens.isValid(new byte[0], a)).isFalse();
    }

    @Test
    void previousSecretIsHonouredForOneMoreRotation() throws Exception {
        InetAddress a = InetAddress.getByName("192.168.1.9");
        byte[] token = tokens.tokenFor(a);
        clock.advance(Duration.ofMinutes(5));
        assertThat(tokens.isValid(token, a)).as("one rotation later").isTrue();
        assertThat(tokens.tokenFor(a)).isNotEqualTo(token);
        clock.advance(Duration.ofMinutes(5));
        assertThat(tokens.isValid(token, a)).as("two rotations later").isFalse();
    }

    @Test
    void longIdlePeriodInvalidatesOldTokens() throws Exception {
        InetAddress a = InetAddress.getByName("::1");
        byte[] token = tokens.tokenFor(a);
        clock.advance(Duration.ofMinutes(11));
        assertThat(tokens.isValid(token, a)).isFalse();
    }
}
