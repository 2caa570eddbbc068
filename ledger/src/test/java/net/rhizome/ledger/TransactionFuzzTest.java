package net.rhizome.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.tx.SignedTransaction;
import net.rhizome.ledger.tx.Voucher;

/**
 * Malformed transaction and voucher bytes: decoding either fails with a {@link DecodeException}
 * or yields a value that re-encodes to exactly the input (the encoding is canonical). Jazzer
 * runs this over its seed corpus in normal builds; the jqwik property feeds random bytes as well.
 */
class TransactionFuzzTest {

    @FuzzTest
    void decodeTransaction(byte[] input) {
        check(input);
    }

    @Property(tries = 1000)
    void randomBytesNeverCrashTheDecoder(@ForAll @Size(max = 600) byte[] input) {
        check(input);
    }

    @Property(tries = 1000)
    void mutatedValidTransactionsNeverCrashTheDecoder(@ForAll("operations") net.rhizome.ledger.tx.Operation op,
                                                       @ForAll int position, @ForAll byte value, @ForAll boolean truncate) {
        byte[] bytes = new net.rhizome.ledger.tx.Transaction(TransactionCodecTest.KEY.peerId(), 1, op).sign(TransactionCodecTest.KEY).encode();
        int at = Math.floorMod(position, bytes.length);
        bytes[at] = value;
        check(truncate ? java.util.Arrays.copyOf(bytes, at) : bytes);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<net.rhizome.ledger.tx.Operation> operations() {
        return TransactionCodecTest.operations();
    }

    private static void check(byte[] input) {
        try {
            SignedTransaction tx = SignedTransaction.decode(input);
            assertThat(tx.encode()).isEqualTo(input);
        } catch (DecodeException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        try {
            assertThat(Voucher.decode(input).encode()).isEqualTo(input);
        } catch (DecodeException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
