package net.rhizome.ledger.tx;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import net.rhizome.core.crypto.Ed25519;
import net.rhizome.core.crypto.KeyPair;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.codec.Reader;
import net.rhizome.ledger.codec.Writer;

/**
 * A payer's signed promise on a payment channel: "the payee may claim {@code cumulativeAmount}
 * credits in total". Each new voucher carries a higher nonce and a cumulative amount that never
 * shrinks, so only the newest one matters. Encoding (113 bytes): version 1, channel id (32),
 * cumulative amount (8, big-endian), nonce (8), Ed25519 signature (64) over
 * {@code "rhizome/voucher/v1" ‖ version ‖ channel ‖ amount ‖ nonce}.
 */
public record Voucher(Hash32 channel, long cumulativeAmount, long nonce, byte[] signature) {
    public static final int VERSION = 1;
    public static final int ENCODED_LENGTH = 1 + 32 + 8 + 8 + Ed25519.SIGNATURE_LENGTH;
    private static final byte[] DOMAIN = "rhizome/voucher/v1".getBytes(StandardCharsets.US_ASCII);

    public Voucher {
        Objects.requireNonNull(channel, "channel");
        if (cumulativeAmount < 0) {
            throw new IllegalArgumentException("voucher amount must not be negative, got " + cumulativeAmount);
        }
        if (nonce <= 0) {
            throw new IllegalArgumentException("voucher nonce must be positive, got " + nonce);
        }
        if (signature.length != Ed25519.SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("voucher signature must be 64 bytes, got " + signature.length);
        }
        signature = signature.clone();
    }

    public static Voucher sign(KeyPair payer, Hash32 channel, long cumulativeAmount, long nonce) {
        byte[] sig = payer.sign(signedMessage(channel, cumulativeAmount, nonce));
        return new Voucher(channel, cumulativeAmount, nonce, sig);
    }

    /** True when the payer's key signed exactly this channel, amount and nonce. */
    public boolean verify(PeerId payer) {
        return payer.verify(signedMessage(channel, cumulativeAmount, nonce), signature);
    }

    /** {@link #verify(PeerId)} through a checker that keeps decoded keys (for high rates). */
    public boolean verify(PeerId payer, SignatureChecker checker) {
        return checker.verify(payer, signedMessage(channel, cumulativeAmount, nonce), signature);
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public byte[] encode() {
        return new Writer(ENCODED_LENGTH).u8(VERSION).hash(channel).i64(cumulativeAmount).i64(nonce).raw(signature).toByteArray();
    }

    public static Voucher decode(byte[] bytes) throws DecodeException {
        if (bytes.length != ENCODED_LENGTH) {
            throw new DecodeException("voucher must be " + ENCODED_LENGTH + " bytes, got " + bytes.length);
        }
        Reader r = new Reader(bytes, "voucher");
        int version = r.u8("version");
        if (version != VERSION) {
            throw new DecodeException("voucher: unsupported version " + version);
        }
        Hash32 channel = r.hash("channel");
        long amount = r.amount("cumulative amount");
        long nonce = r.i64("nonce");
        if (nonce <= 0) {
            throw new DecodeException("voucher: nonce must be positive, got " + nonce);
        }
        return new Voucher(channel, amount, nonce, r.raw(Ed25519.SIGNATURE_LENGTH, "signature"));
    }

    private static byte[] signedMessage(Hash32 channel, long amount, long nonce) {
        return new Writer(DOMAIN.length + 49).raw(DOMAIN).u8(VERSION).hash(channel).i64(amount).i64(nonce).toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Voucher v && channel.equals(v.channel) && cumulativeAmount == v.cumulativeAmount
                && nonce == v.nonce && Arrays.equals(signature, v.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channel, cumulativeAmount, nonce);
    }

    @Override
    public String toString() {
        return "Voucher[channel=" + channel.shortHex() + ", amount=" + cumulativeAmount + ", nonce=" + nonce + "]";
    }
}
