package net.rhizome.market.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.ledger.state.Account;
import net.rhizome.market.pricing.PriceMultiplier;
import net.rhizome.market.selection.Candidate;
import net.rhizome.market.selection.WorkerSelection;

/**
 * Chooses the workers for a job. Eligible are workers that are registered on the ledger for the model
 * with at least the minimum stake, advertise the model in their signed node record, are alive in the
 * peer book (DHT), and are not cooling down after a failure. They are ranked by
 * {@link WorkerSelection} with the job id and the latest block hash as public seed, so anyone holding
 * the same public data gets the same order.
 */
public final class Router {
    /** A live peer as its node record describes it: the models it serves (hex ids) and its measured speed. */
    public record LivePeer(PeerId peer, List<String> models, long tokensPerSecond) {}

    /** The ranking with the inputs it was computed from, for logs and anyone re-checking it. */
    public record Route(Hash32 jobId, Hash32 seed, List<Candidate> ranked, List<JobDispatcher.Assignment> assignments) {}

    private final Supplier<List<LivePeer>> alive;
    private final Function<PeerId, Optional<Account>> accounts;
    private final Supplier<Hash32> seed;
    private final LongSupplier minimumStake;
    private final CoolDown coolDown;

    /** {@code minimumStake} is read when routing (the ledger may not answer yet when the gateway starts). */
    public Router(Supplier<List<LivePeer>> alive, Function<PeerId, Optional<Account>> accounts, Supplier<Hash32> seed,
            LongSupplier minimumStake, CoolDown coolDown) {
        this.alive = Objects.requireNonNull(alive, "alive");
        this.accounts = Objects.requireNonNull(accounts, "accounts");
        this.seed = Objects.requireNonNull(seed, "seed");
        this.minimumStake = Objects.requireNonNull(minimumStake, "minimumStake");
        this.coolDown = Objects.requireNonNull(coolDown, "coolDown");
    }

    /** Workers eligible for {@code model} now, with their ledger price (before the multiplier). */
    public List<Eligible> eligible(Hash32 model) {
        List<Eligible> out = new ArrayList<>();
        long min = minimumStake.getAsLong();
        for (LivePeer p : alive.get()) {
            if (!p.models().contains(model.hex()) || coolDown.resting(p.peer())) {
                continue;
            }
            accounts.apply(p.peer())
                    .filter(a -> a.hasRole(Account.ROLE_WORKER) && a.models().contains(model) && a.staked() >= min && a.staked() > 0)
                    .ifPresent(a -> out.add(new Eligible(new Candidate(p.peer(), a.staked(), a.reputation(), p.tokensPerSecond()), a.pricePerToken())));
        }
        return out;
    }

    public record Eligible(Candidate candidate, long pricePerToken) {}

    /** The fail-over order for a job, each worker with its price times the model's multiplier. */
    public Route route(Hash32 jobId, Hash32 model, int multiplierPerMille) {
        Hash32 s = seed.get();
        List<Eligible> eligible = eligible(model);
        List<Candidate> ranked = WorkerSelection.rank(jobId.bytes(), s.bytes(), eligible.stream().map(Eligible::candidate).toList());
        List<JobDispatcher.Assignment> assignments = ranked.stream().map(c -> {
            long price = eligible.stream().filter(e -> e.candidate().equals(c)).findFirst().orElseThrow().pricePerToken();
            return new JobDispatcher.Assignment(c.worker(), PriceMultiplier.apply(price, multiplierPerMille));
        }).toList();
        return new Route(jobId, s, ranked, assignments);
    }
}
