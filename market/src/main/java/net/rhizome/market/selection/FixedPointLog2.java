package net.rhizome.market.selection;

import java.math.BigInteger;

/**
 * {@code -log2(u)} for a rational {@code u = n / 2^bits} in (0, 1], as an integer with
 * {@link #FRACTION_BITS} fractional bits, computed with integers only (digit-by-digit squaring), so
 * every machine and every language gets the same value bit for bit.
 */
final class FixedPointLog2 {
    static final int FRACTION_BITS = 64;

    private FixedPointLog2() {}

    /** {@code floor(-log2(n / 2^bits) * 2^FRACTION_BITS)}; {@code n} must be in [1, 2^bits]. */
    static BigInteger negLog2(BigInteger n, int bits) {
        if (n.signum() <= 0 || n.bitLength() > bits + 1 || (n.bitLength() == bits + 1 && n.bitCount() != 1)) {
            throw new IllegalArgumentException("n must be in [1, 2^" + bits + "]");
        }
        // log2(n) = e + log2(m) with m = n / 2^e in [1, 2).
        int e = n.bitLength() - 1;
        int scale = FRACTION_BITS + 2;
        BigInteger one = BigInteger.ONE.shiftLeft(scale);
        BigInteger two = one.shiftLeft(1);
        BigInteger m = scale >= e ? n.shiftLeft(scale - e) : n.shiftRight(e - scale);
        BigInteger fraction = BigInteger.ZERO;
        for (int i = FRACTION_BITS - 1; i >= 0; i--) {
            m = m.multiply(m).shiftRight(scale);
            if (m.compareTo(two) >= 0) {
                m = m.shiftRight(1);
                fraction = fraction.setBit(i);
            }
        }
        BigInteger log2n = BigInteger.valueOf(e).shiftLeft(FRACTION_BITS).add(fraction);
        return BigInteger.valueOf(bits).shiftLeft(FRACTION_BITS).subtract(log2n);
    }
}
