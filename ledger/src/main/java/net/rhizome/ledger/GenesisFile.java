package net.rhizome.ledger;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import net.rhizome.core.crypto.PeerId;

/**
 * A genesis config as a text file, one {@code key=value} per line, e.g. for a private grid:
 * <pre>
 * chain=devnet
 * credit.issuer=&lt;peer id hex&gt;
 * reward.pool=1000000000000
 * allocation.&lt;peer id hex&gt;=&lt;rhz&gt;,&lt;credits&gt;
 * </pre>
 * Keys not given take the {@link GenesisConfig#devnet devnet} defaults; unknown keys are an error.
 */
public final class GenesisFile {
    public static final long MAX_BYTES = 1 << 20;
    private static final String ALLOCATION = "allocation.";
    private static final List<String> KEYS = List.of("chain", "timestamp.millis", "credit.issuer", "reward.pool",
            "emission.initial.per.epoch", "emission.halving.epochs", "epoch.blocks", "unbonding.blocks", "block.interval.millis",
            "min.stake.worker", "min.stake.auditor", "min.stake.scanner",
            "rewards.workers.per.mille", "rewards.auditors.per.mille", "rewards.scanners.per.mille", "rewards.stake.cap.percentile",
            "rewards.reputation.min.per.mille", "rewards.reputation.max.per.mille", "rewards.demand.min.per.mille", "rewards.demand.max.per.mille",
            "disputes.min.bond", "disputes.quorum", "disputes.slash.per.mille", "disputes.challenger.reward.per.mille");

    private GenesisFile() {}

    public static GenesisConfig read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException("genesis file " + file + " is larger than " + MAX_BYTES + " bytes");
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException("genesis file " + file + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path file, GenesisConfig g) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, format(g), StandardCharsets.UTF_8);
    }

    public static GenesisConfig parse(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a key=value file: " + e.getMessage(), e);
        }
        for (String key : p.stringPropertyNames()) {
            if (!key.startsWith(ALLOCATION) && !KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "'");
            }
        }
        PeerId issuer = peer(required(p, "credit.issuer"), "credit.issuer");
        List<GenesisConfig.Allocation> allocations = new ArrayList<>();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            if (key.startsWith(ALLOCATION)) {
                String[] parts = p.getProperty(key).split(",", -1);
                if (parts.length != 2) {
                    throw new IllegalArgumentException(key + " must be '<rhz>,<credits>'");
                }
                allocations.add(new GenesisConfig.Allocation(peer(key.substring(ALLOCATION.length()), key),
                        number(parts[0], key + " rhz"), number(parts[1], key + " credits")));
            }
        }
        GenesisConfig d = GenesisConfig.devnet(p.getProperty("chain", "devnet"), 0, issuer, allocations);
        return new GenesisConfig(d.chainName(), get(p, "timestamp.millis", d.timestampMillis()), issuer, allocations,
                get(p, "reward.pool", d.rewardPool()),
                new GenesisConfig.Emission(get(p, "emission.initial.per.epoch", d.emission().initialPerEpoch()),
                        get(p, "emission.halving.epochs", d.emission().halvingEpochs())),
                get(p, "epoch.blocks", d.epochBlocks()), get(p, "unbonding.blocks", d.unbondingBlocks()),
                get(p, "block.interval.millis", d.blockIntervalMillis()),
                new GenesisConfig.MinStakes(get(p, "min.stake.worker", d.minStakes().worker()),
                        get(p, "min.stake.auditor", d.minStakes().auditor()), get(p, "min.stake.scanner", d.minStakes().scanner())),
                new GenesisConfig.RewardParams(get(p, "rewards.workers.per.mille", d.rewards().workersPerMille()),
                        get(p, "rewards.auditors.per.mille", d.rewards().auditorsPerMille()),
                        get(p, "rewards.scanners.per.mille", d.rewards().scannersPerMille()),
                        (int) get(p, "rewards.stake.cap.percentile", d.rewards().stakeCapPercentile()),
                        get(p, "rewards.reputation.min.per.mille", d.rewards().reputationMinPerMille()),
                        get(p, "rewards.reputation.max.per.mille", d.rewards().reputationMaxPerMille()),
                        get(p, "rewards.demand.min.per.mille", d.rewards().demandMinPerMille()),
                        get(p, "rewards.demand.max.per.mille", d.rewards().demandMaxPerMille())),
                new GenesisConfig.DisputeParams(get(p, "disputes.min.bond", d.disputes().minBond()),
                        (int) get(p, "disputes.quorum", d.disputes().quorum()),
                        get(p, "disputes.slash.per.mille", d.disputes().slashPerMille()),
                        get(p, "disputes.challenger.reward.per.mille", d.disputes().challengerRewardPerMille())));
    }

    public static String format(GenesisConfig g) {
        StringWriter w = new StringWriter();
        line(w, "chain", g.chainName());
        line(w, "timestamp.millis", g.timestampMillis());
        line(w, "credit.issuer", g.creditIssuer().hex());
        line(w, "reward.pool", g.rewardPool());
        line(w, "emission.initial.per.epoch", g.emission().initialPerEpoch());
        line(w, "emission.halving.epochs", g.emission().halvingEpochs());
        line(w, "epoch.blocks", g.epochBlocks());
        line(w, "unbonding.blocks", g.unbondingBlocks());
        line(w, "block.interval.millis", g.blockIntervalMillis());
        line(w, "min.stake.worker", g.minStakes().worker());
        line(w, "min.stake.auditor", g.minStakes().auditor());
        line(w, "min.stake.scanner", g.minStakes().scanner());
        line(w, "rewards.workers.per.mille", g.rewards().workersPerMille());
        line(w, "rewards.auditors.per.mille", g.rewards().auditorsPerMille());
        line(w, "rewards.scanners.per.mille", g.rewards().scannersPerMille());
        line(w, "rewards.stake.cap.percentile", g.rewards().stakeCapPercentile());
        line(w, "rewards.reputation.min.per.mille", g.rewards().reputationMinPerMille());
        line(w, "rewards.reputation.max.per.mille", g.rewards().reputationMaxPerMille());
        line(w, "rewards.demand.min.per.mille", g.rewards().demandMinPerMille());
        line(w, "rewards.demand.max.per.mille", g.rewards().demandMaxPerMille());
        line(w, "disputes.min.bond", g.disputes().minBond());
        line(w, "disputes.quorum", g.disputes().quorum());
        line(w, "disputes.slash.per.mille", g.disputes().slashPerMille());
        line(w, "disputes.challenger.reward.per.mille", g.disputes().challengerRewardPerMille());
        for (GenesisConfig.Allocation a : g.allocations()) {
            line(w, ALLOCATION + a.account().hex(), a.rhz() + "," + a.credits());
        }
        return w.toString();
    }

    private static void line(StringWriter w, String key, Object value) {
        w.append(key).append('=').append(String.valueOf(value)).append('\n');
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing '" + key + "'");
        }
        return v.trim();
    }

    private static long get(Properties p, String key, long fallback) {
        String v = p.getProperty(key);
        return v == null ? fallback : number(v, key);
    }

    private static long number(String text, String key) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + text.trim() + "'");
        }
    }

    private static PeerId peer(String text, String key) {
        try {
            return PeerId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }
}
