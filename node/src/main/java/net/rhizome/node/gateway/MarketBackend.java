package net.rhizome.node.gateway;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.gateway.CoolDown;
import net.rhizome.market.gateway.JobDispatcher;
import net.rhizome.market.gateway.Router;
import net.rhizome.market.job.JobLimits;
import net.rhizome.market.pricing.DemandSample;
import net.rhizome.market.pricing.PriceMultiplier;
import net.rhizome.market.worker.JobServer;

/**
 * The real {@link CompletionBackend}: models from the catalog that some eligible worker serves,
 * tokenised here, routed by {@link Router}, streamed and paid through a {@link JobDispatcher} for the
 * key's wallet, with a per-model price multiplier driven by this gateway's demand.
 */
public final class MarketBackend implements CompletionBackend {
    private final ModelCatalog catalog;
    private final Router router;
    private final Function<PeerId, JobDispatcher> dispatchers;
    private final CoolDown coolDown;
    private final int slotsPerWorker;
    private final SecureRandom random = new SecureRandom();
    private final Map<Hash32, PriceMultiplier> prices = new ConcurrentHashMap<>();
    private final Map<Hash32, AtomicInteger> running = new ConcurrentHashMap<>();

    /**
     * @param dispatchers the dispatcher paying from a wallet (the wallet's key signs requests and vouchers)
     * @param slotsPerWorker concurrent jobs assumed per worker when computing utilisation
     */
    public MarketBackend(ModelCatalog catalog, Router router, Function<PeerId, JobDispatcher> dispatchers, CoolDown coolDown,
            int slotsPerWorker) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.router = Objects.requireNonNull(router, "router");
        this.dispatchers = Objects.requireNonNull(dispatchers, "dispatchers");
        this.coolDown = Objects.requireNonNull(coolDown, "coolDown");
        this.slotsPerWorker = slotsPerWorker;
    }

    public MarketBackend(ModelCatalog catalog, Router router, Function<PeerId, JobDispatcher> dispatchers, CoolDown coolDown) {
        this(catalog, router, dispatchers, coolDown, JobServer.Settings.DEFAULT.capacity());
    }

    @Override
    public List<ModelOffer> models() {
        List<ModelOffer> offers = new ArrayList<>();
        for (ModelCatalog.Model m : catalog.all()) {
            List<Router.Eligible> eligible = router.eligible(m.id());
            if (eligible.isEmpty()) {
                continue;
            }
            int multiplier = multiplier(m.id());
            long lowest = eligible.stream().mapToLong(Router.Eligible::pricePerToken).min().orElseThrow();
            offers.add(new ModelOffer(m.id().hex(), m.name(), m.contextLength(), PriceMultiplier.apply(lowest, multiplier),
                    multiplier, eligible.size()));
        }
        return offers;
    }

    /** Moves every model's multiplier one step towards what current demand asks; call about once a second. */
    public void updatePrices() {
        for (ModelCatalog.Model m : catalog.all()) {
            int workers = router.eligible(m.id()).size();
            int busy = running.computeIfAbsent(m.id(), k -> new AtomicInteger()).get();
            int capacity = workers * slotsPerWorker;
            prices.computeIfAbsent(m.id(), k -> new PriceMultiplier())
                    .update(new DemandSample(Math.min(busy, capacity), Math.max(0, busy - capacity), capacity));
        }
    }

    private int multiplier(Hash32 model) {
        PriceMultiplier p = prices.get(model);
        return p == null ? PriceMultiplier.BASE : p.perMille();
    }

    @Override
    public int[] tokenize(ModelOffer offer, Prompt prompt) {
        ModelCatalog.Model m = model(offer);
        int[] tokens = m.tokenize(prompt);
        if (tokens.length == 0) {
            throw OpenAiException.invalidRequest(prompt instanceof Prompt.Chat ? "messages" : "prompt", "the prompt is empty");
        }
        return tokens;
    }

    @Override
    public Outcome generate(Job job, TextSink sink) {
        ModelCatalog.Model m = model(job.model());
        byte[] id = new byte[32];
        random.nextBytes(id);
        Hash32 jobId = Hash32.of(id);
        Router.Route route = router.route(jobId, m.id(), multiplier(m.id()));
        if (route.assignments().isEmpty()) {
            throw OpenAiException.noWorker(job.model().id(), "no registered, live worker serves it outside cool-down");
        }
        var spec = new JobDispatcher.JobSpec(jobId, m.id(), job.promptTokens(), job.sampling(), job.maxTokens(), job.stop(),
                JobLimits.DEFAULT_VOUCHER_INTERVAL, m.vocabularySize());
        AtomicInteger busy = running.computeIfAbsent(m.id(), k -> new AtomicInteger());
        busy.incrementAndGet();
        try {
            JobDispatcher.Result result = dispatchers.apply(job.wallet()).run(spec, route.assignments(),
                    (worker, tokens, text) -> sink.accept(new String(text, StandardCharsets.UTF_8)));
            List<Served> served = new ArrayList<>();
            long charged = 0;
            for (JobDispatcher.Attempt a : result.attempts()) {
                if (a.failure().isEmpty()) {
                    coolDown.succeeded(a.worker());
                }
                served.add(new Served(a.worker(), a.delivered(), a.paid()));
                charged += a.paid();
            }
            return new Outcome(result.output().length, result.finishReason(), charged, served, jobId.hex(), route.seed().hex());
        } catch (JobDispatcher.DispatchException e) {
            if (e.delivered() == 0) {
                throw OpenAiException.noWorker(job.model().id(), e.getMessage());
            }
            throw OpenAiException.upstream("the answer broke off after " + e.delivered() + " tokens: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw OpenAiException.upstream("interrupted");
        } finally {
            busy.decrementAndGet();
        }
    }

    private ModelCatalog.Model model(ModelOffer offer) {
        return catalog.get(Hash32.parse(offer.id()))
                .orElseThrow(() -> OpenAiException.unknownModel(offer.id()));
    }
}
