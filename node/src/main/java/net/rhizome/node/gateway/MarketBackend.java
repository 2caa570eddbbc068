package net.rhizome.node.gateway;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import net.rhizome.core.crypto.PeerId;
import net.rhizome.ledger.Hash32;
import net.rhizome.market.gateway.CoolDown;
import net.rhizome.market.gateway.EmbedDispatcher;
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
    private final Function<PeerId, EmbedDispatcher> embedders;
    private final CoolDown coolDown;
    private final int slotsPerWorker;
    private final SecureRandom random = new SecureRandom();
    private final Map<Hash32, PriceMultiplier> prices = new ConcurrentHashMap<>();
    private final Map<Hash32, AtomicInteger> running = new ConcurrentHashMap<>();

    /**
     * @param dispatchers the dispatcher paying from a wallet (the wallet's key signs requests and vouchers)
     * @param embedders the same for embedding jobs
     * @param slotsPerWorker concurrent jobs assumed per worker when computing utilisation
     */
    public MarketBackend(ModelCatalog catalog, Router router, Function<PeerId, JobDispatcher> dispatchers,
            Function<PeerId, EmbedDispatcher> embedders, CoolDown coolDown, int slotsPerWorker) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.router = Objects.requireNonNull(router, "router");
        this.dispatchers = Objects.requireNonNull(dispatchers, "dispatchers");
        this.embedders = Objects.requireNonNull(embedders, "embedders");
        this.coolDown = Objects.requireNonNull(coolDown, "coolDown");
        this.slotsPerWorker = slotsPerWorker;
    }

    public MarketBackend(ModelCatalog catalog, Router router, Function<PeerId, JobDispatcher> dispatchers,
            Function<PeerId, EmbedDispatcher> embedders, CoolDown coolDown) {
        this(catalog, router, dispatchers, embedders, coolDown, JobServer.Settings.DEFAULT.capacity());
    }

    @Override
    public List<ModelOffer> models() {
        List<ModelOffer> offers = new ArrayList<>();
        for (ModelCatalog.Model m : catalog.all()) {
            offer(m).ifPresent(offers::add);
        }
        return offers;
    }

    /** One model's offer: only its own workers are checked on the ledger, not every model's. */
    @Override
    public Optional<ModelOffer> model(String id) {
        Hash32 h;
        try {
            h = Hash32.parse(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return catalog.get(h).flatMap(this::offer);
    }

    private Optional<ModelOffer> offer(ModelCatalog.Model m) {
        List<Router.Eligible> eligible = router.eligible(m.id());
        if (eligible.isEmpty()) {
            return Optional.empty();
        }
        int multiplier = multiplier(m.id());
        long lowest = eligible.stream().mapToLong(Router.Eligible::pricePerToken).min().orElseThrow();
        return Optional.of(new ModelOffer(m.id().hex(), m.name(), m.contextLength(), PriceMultiplier.apply(lowest, multiplier),
                multiplier, eligible.size(), m.embeddingDimension()));
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
        Hash32 jobId = newJobId();
        Router.Route route = route(jobId, m);
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

    @Override
    public Embeddings embed(EmbedJob job) {
        ModelCatalog.Model m = model(job.model());
        if (m.embeddingDimension() == 0) {
            throw OpenAiException.invalidRequest("model", "the model '" + job.model().id() + "' is not an embedding model");
        }
        for (int i = 0; i < job.inputs().size(); i++) {
            for (int t : job.inputs().get(i)) {
                if (t >= m.vocabularySize()) {
                    throw OpenAiException.invalidRequest("input", "input " + i + " holds token id " + t
                            + ", outside the model's vocabulary of " + m.vocabularySize());
                }
            }
        }
        Hash32 jobId = newJobId();
        Router.Route route = route(jobId, m);
        AtomicInteger busy = running.computeIfAbsent(m.id(), k -> new AtomicInteger());
        busy.incrementAndGet();
        try {
            EmbedDispatcher.Result result = embedders.apply(job.wallet())
                    .run(new EmbedDispatcher.EmbedSpec(jobId, m.id(), job.inputs(), m.embeddingDimension()), route.assignments());
            List<Served> served = new ArrayList<>();
            long charged = 0;
            for (EmbedDispatcher.Attempt a : result.attempts()) {
                if (a.failure().isEmpty()) {
                    coolDown.succeeded(a.worker());
                }
                served.add(new Served(a.worker(), Math.toIntExact(a.tokens()), a.paid()));
                charged += a.paid();
            }
            return new Embeddings(result.embeddings(), charged, served, jobId.hex(), route.seed().hex());
        } catch (EmbedDispatcher.EmbedException e) {
            long paid = e.attempts().stream().mapToLong(EmbedDispatcher.Attempt::paid).sum();
            if (paid == 0) {
                throw OpenAiException.noWorker(job.model().id(), e.getMessage());
            }
            int done = e.attempts().stream().mapToInt(EmbedDispatcher.Attempt::inputs).sum();
            throw OpenAiException.upstream("the embedding job broke off after " + done + " of " + job.inputs().size()
                    + " inputs (" + paid + " credit units paid for those): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw OpenAiException.upstream("interrupted");
        } finally {
            busy.decrementAndGet();
        }
    }

    private Hash32 newJobId() {
        byte[] id = new byte[32];
        random.nextBytes(id);
        return Hash32.of(id);
    }

    private Router.Route route(Hash32 jobId, ModelCatalog.Model m) {
        Router.Route route = router.route(jobId, m.id(), multiplier(m.id()));
        if (route.assignments().isEmpty()) {
            throw OpenAiException.noWorker(m.id().hex(), "no registered, live worker serves it outside cool-down");
        }
        return route;
    }

    private ModelCatalog.Model model(ModelOffer offer) {
        return catalog.get(Hash32.parse(offer.id()))
                .orElseThrow(() -> OpenAiException.unknownModel(offer.id()));
    }
}
