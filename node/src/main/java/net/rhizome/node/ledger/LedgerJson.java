package net.rhizome.node.ledger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.rhizome.core.util.Hex;
import net.rhizome.ledger.BlockHeader;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.Ledger;
import net.rhizome.ledger.TxOutcome;
import net.rhizome.ledger.state.Account;
import net.rhizome.ledger.state.Channel;
import net.rhizome.ledger.state.Totals;
import net.rhizome.ledger.tx.Operation;

/** Ledger values as JSON-ready maps for the node's HTTP API; amounts stay integers in base units. */
final class LedgerJson {
    private LedgerJson() {}

    static Map<String, Object> status(Ledger ledger, String mode) {
        BlockHeader head = ledger.head();
        Totals t = ledger.totals();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("chain", ledger.genesis().chainName());
        m.put("genesis", ledger.genesis().hash().hex());
        m.put("height", head.height());
        m.put("block_hash", head.hash().hex());
        m.put("state_root", head.stateRoot().hex());
        m.put("timestamp_millis", head.timestampMillis());
        m.put("block_interval_millis", ledger.genesis().blockIntervalMillis());
        m.put("supply", Map.of("credits", t.creditsSupply(), "rhz", t.rhzSupply()));
        m.put("reward_pool", t.rewardPool());
        m.put("epochs_paid", t.epochsPaid());
        return m;
    }

    static Map<String, Object> account(Account a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id().hex());
        m.put("nonce", a.nonce());
        m.put("credits", a.credits());
        m.put("rhz", a.rhz());
        m.put("staked", a.staked());
        m.put("unbonding", a.unbonding());
        m.put("unbonding_release_height", a.unbondingReleaseHeight());
        m.put("roles", roles(a));
        m.put("models", a.models().stream().map(Hash32::hex).toList());
        m.put("price_per_token", a.pricePerToken());
        m.put("reputation", a.reputation());
        return m;
    }

    private static List<String> roles(Account a) {
        var out = new java.util.ArrayList<String>();
        if (a.hasRole(Account.ROLE_WORKER)) out.add("worker");
        if (a.hasRole(Account.ROLE_AUDITOR)) out.add("auditor");
        if (a.hasRole(Account.ROLE_SCANNER)) out.add("scanner");
        return out;
    }

    static Map<String, Object> channel(Channel c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id().hex());
        m.put("payer", c.payer().hex());
        m.put("payee", c.payee().hex());
        m.put("model", c.model().hex());
        m.put("deposit", c.deposit());
        m.put("claimed", c.claimed());
        m.put("locked", c.locked());
        m.put("last_voucher_nonce", c.lastVoucherNonce());
        m.put("expiry_height", c.expiryHeight());
        m.put("open", c.open());
        return m;
    }

    static Map<String, Object> record(Ledger.TxRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("height", r.height());
        m.put("index", r.index());
        m.put("id", r.tx().id().hex());
        m.put("sender", r.tx().transaction().sender().hex());
        m.put("nonce", r.tx().transaction().nonce());
        m.put("operation", operation(r.tx().transaction().operation()));
        return m;
    }

    /** An operation's type and fields; byte fields as hex. */
    static Map<String, Object> operation(Operation op) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", op.getClass().getSimpleName());
        for (var component : op.getClass().getRecordComponents()) {
            try {
                Object v = component.getAccessor().invoke(op);
                m.put(component.getName(), switch (v) {
                    case byte[] b -> Hex.encode(b);
                    case net.rhizome.ledger.tx.Voucher vo -> Map.of("channel", vo.channel().hex(), "amount", vo.cumulativeAmount(), "nonce", vo.nonce());
                    case List<?> list -> list.stream().map(String::valueOf).toList();
                    case Number n -> n;
                    case Boolean b -> b;
                    default -> String.valueOf(v);
                });
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + component.getName() + " of " + op, e);
            }
        }
        return m;
    }

    static Map<String, Object> outcome(NodeWallet.Sent sent) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tx_id", sent.tx().id().hex());
        m.put("nonce", sent.tx().transaction().nonce());
        switch (sent.outcome()) {
            case TxOutcome.Accepted a -> {
                m.put("accepted", true);
                m.put("height", a.height());
                m.put("index", a.index());
            }
            case TxOutcome.Rejected r -> {
                m.put("accepted", false);
                m.put("code", r.rejection().code().name());
                m.put("error", r.rejection().message());
            }
        }
        return m;
    }
}
