package net.rhizome.market.job;

import com.google.protobuf.ByteString;
import net.rhizome.ledger.codec.DecodeException;
import net.rhizome.ledger.tx.Voucher;

/** The job protocol's voucher message: a channel voucher plus how much of the job it is sent on is paid. */
public final class VoucherMessage {
    private VoucherMessage() {}

    public static net.rhizome.market.proto.Voucher of(Voucher voucher, long jobPaid) {
        return net.rhizome.market.proto.Voucher.newBuilder().setEncoded(ByteString.copyFrom(voucher.encode())).setJobPaid(jobPaid).build();
    }

    public static Voucher voucher(net.rhizome.market.proto.Voucher message) throws DecodeException {
        return Voucher.decode(message.getEncoded().toByteArray());
    }

    /** The message's job total, read as unsigned; a value past {@code Long.MAX_VALUE} is a protocol error. */
    public static long jobPaid(net.rhizome.market.proto.Voucher message) throws JobProtocolException {
        if (message.getJobPaid() < 0) {
            throw new JobProtocolException("voucher job total " + Long.toUnsignedString(message.getJobPaid()) + " is out of range");
        }
        return message.getJobPaid();
    }
}
