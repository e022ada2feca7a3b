package com.mailreachgateway.account;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.mailreachgateway.caller.Caller;
import com.mailreachgateway.policy.AccountFacts;
import com.mailreachgateway.policy.Decision;
import com.mailreachgateway.policy.PolicyEngine;
import com.mailreachgateway.policy.PolicyRequest;
import com.mailreachgateway.policy.RuleDecision;
import com.mailreachgateway.state.AccountCache;
import com.mailreachgateway.state.AccountLanes;
import com.mailreachgateway.state.AccountLock;
import com.mailreachgateway.state.CachedAccount;
import com.mailreachgateway.state.LaneRefusedException;
import com.mailreachgateway.state.LoadTimeoutException;
import com.mailreachgateway.upstream.AttemptWatch;
import com.mailreachgateway.upstream.Deadline;
import com.mailreachgateway.upstream.MailReachClient;
import com.mailreachgateway.upstream.RequestTimes;
import com.mailreachgateway.upstream.UpstreamExceptions.NotSentException;
import com.mailreachgateway.upstream.UpstreamExceptions.UpdateInDoubtException;
import com.mailreachgateway.upstream.UpstreamExceptions.UpstreamClientException;
import com.mailreachgateway.upstream.UpstreamExceptions.UpstreamTimeoutException;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Runs one update from validated request to cached result: in the account's lane, it reads
 * the account state only if the policy needs it, lets the policy decide, forwards what the
 * policy allows, and caches what MailReach returns. Also serves read-through reads.
 */
@Service
class AccountService {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final MailReachClient mailReach;

    private final RequestTimes times;

    private final AccountCache cache;

    private final AccountLanes lanes;

    private final AccountLock lock;

    private final PolicyEngine policy;

    private final UpdateRecorder recorder;

    private final UpdateMetrics metrics;

    AccountService(MailReachClient mailReach, RequestTimes times, AccountCache cache, AccountLanes lanes, AccountLock lock,
            PolicyEngine policy, UpdateRecorder recorder, UpdateMetrics metrics) {
        this.mailReach = mailReach;
        this.times = times;
        this.cache = cache;
        this.lanes = lanes;
        this.lock = lock;
        this.policy = policy;
        this.recorder = recorder;
        this.metrics = metrics;
    }

    /**
     * Applies an update, or previews it when {@code dryRun}; fails with a gateway error. However it
     * ends, it is recorded once (metric and audit line, {@link UpdateRecorder}).
     */
    Mono<UpdateResult> update(String requestId, Caller caller, int id, AccountUpdate update, boolean dryRun) {
        PolicyRequest request = new PolicyRequest(caller.name(), caller.tier(), caller.allowedFields(),
                update.fields());
        Deadline deadline = this.times.newDeadline();
        UpdateRecorder.Recording recording = this.recorder.begin(requestId, caller.name(), id, update.fields());
        if (dryRun) {
            Mono<UpdateResult> preview = facts(id, request, deadline)
                .map((facts) -> this.policy.decide(request, facts.orElse(null)))
                .doOnNext(recording::decided)
                .map((decision) -> new UpdateResult(null, decision, preview(caller, id, decision)));
            return recording.whole(preview, Outcomes.DRY_RUN);
        }
        // Once started, the work runs to its end even if its caller has gone away, and records that end.
        Function<AccountLock.Held, Mono<UpdateResult>> work = (held) -> recording.work(Mono.defer(() -> facts(id,
                request, deadline)
            .map((facts) -> this.policy.decide(request, facts.orElse(null)))
            .doOnNext(recording::decided)
            .flatMap((decision) -> forward(id, decision, deadline, watch(held)))), Outcomes.FORWARDED);
        // The account's turn across replicas is asked for first, as the update arrives, so turns follow
        // arrival at the gateway as a whole; then this replica's lane (which alone orders updates while the
        // lock is not in use). Both waits count against the deadline: the turn must come while one attempt
        // at MailReach still fits. An update whose turn does not come in time never starts, and says so.
        Mono<UpdateResult> turns = Mono.defer(() -> this.lock.acquire(id, laneWait(deadline)))
            .flatMap((held) -> inLane(id, held, work.apply(held), deadline))
            .onErrorMap(LaneRefusedException.class, (ex) -> new NotSentException(ex.full()
                    ? "The account already has the most updates queued that the gateway accepts"
                    : "Earlier updates of this account took the time this one had",
                    ex.busyFor().isZero() ? Duration.ofSeconds(1) : ex.busyFor()));
        // Lock, lane and work: refusals by the lock or the lane (before the work) are recorded here.
        return recording.whole(turns, Outcomes.FORWARDED);
    }

    /**
     * Runs the work in the account's lane while {@code held}; the account is let go exactly once: by the
     * work when it ran (whether or not its caller still waits), else when the caller stopped waiting
     * before its turn (or the lane refused it).
     */
    private <T> Mono<T> inLane(int id, AccountLock.Held held, Mono<T> work, Deadline deadline) {
        AtomicBoolean claimed = new AtomicBoolean();
        Mono<T> once = Mono.defer(() -> claimed.compareAndSet(false, true)
                ? work.doFinally((signal) -> held.release()) : Mono.error(LaneRefusedException.turnNotInTime()));
        return this.lanes.run(id, once, laneWait(deadline)).doFinally((signal) -> {
            if (claimed.compareAndSet(false, true)) {
                held.release();
            }
        });
    }

    /** What the account's holder hears of each attempt, so that the next holder on any replica can wait it out. */
    private static AttemptWatch watch(AccountLock.Held held) {
        return new AttemptWatch() {

            @Override
            public Mono<Void> writing(Duration landsWithin) {
                return held.attemptStarting(landsWithin);
            }

            @Override
            public void ended(long settleUntilNanos) {
                held.attemptEnded(settleUntilNanos);
            }

        };
    }

    private Duration laneWait(Deadline deadline) {
        return this.times.waitBeforeAttempt(deadline);
    }

    private Mono<UpdateResult> forward(int id, Decision decision, Deadline deadline, AttemptWatch watch) {
        countDecisions(decision);
        if (decision.verdict() != Decision.Verdict.FORWARD) {
            return Mono.error(new PolicyRefusedException(decision));
        }
        return this.mailReach.updateAccount(id, MAPPER.writeValueAsBytes(decision.forward()), deadline, watch)
            .flatMap((answer) -> {
                if (answer.settling()) {
                    // An earlier attempt may still land: the next update waits until it no longer can.
                    this.lanes.holdUntil(id, answer.settleUntilNanos());
                }
                UpdateResult result = new UpdateResult(answer.account(), decision, null);
                // Stored before the lane moves on, so the next update (on any replica) sees it; a store
                // that fails (shared store down) costs the cached copy, never the update.
                return this.cache.put(id, answer.account()).thenReturn(result).onErrorReturn(result);
            })
            .doOnError((ex) -> {
                if (ex instanceof UpstreamClientException client) {
                    evictIfGone(id, client);
                }
                else if (ex instanceof UpdateInDoubtException doubt) {
                    settleInDoubt(id, doubt.settleUntilNanos());
                }
            });
    }

    /**
     * MailReach may have applied the update, now or until the settle window ends: the cached copy
     * is no longer known to be right (now, and again at the window's end, since a read in between may
     * store the state from before a late landing), and the account's next update waits for the end.
     */
    private void settleInDoubt(int id, long settleUntilNanos) {
        this.cache.evict(id);
        this.lanes.holdUntil(id, settleUntilNanos);
        Mono.delay(Duration.ofNanos(Math.max(0, settleUntilNanos - System.nanoTime())))
            .subscribe((tick) -> this.cache.evict(id));
    }

    /** Reads an account through the cache. */
    Mono<ReadResult> read(int id, boolean noCache) {
        return this.cache.get(id).flatMap((cached) -> {
            if (!noCache && cached.isPresent() && this.cache.isFresh(cached.get())) {
                countRead("hit");
                return Mono.just(new ReadResult(cached.get().json(), ReadResult.Status.HIT,
                        this.cache.age(cached.get())));
            }
            return this.cache.load(id, fetch(id), this.times.deadline())
                .onErrorMap(LoadTimeoutException.class, (ex) -> new UpstreamTimeoutException(this.times.deadline()))
                .map((loaded) -> new ReadResult(loaded.json(), ReadResult.Status.MISS, Duration.ZERO))
                .doOnSuccess((result) -> countRead("miss"))
                .onErrorResume((ex) -> {
                    if (ex instanceof UpstreamClientException client) {
                        evictIfGone(id, client);
                        return Mono.error(ex);
                    }
                    // stale-if-error: MailReach is failing, a recent enough copy beats an error;
                    // a caller that asked for no-cache gets the error instead.
                    return noCache ? Mono.error(ex) : this.cache.get(id).flatMap((stale) -> {
                        if (stale.isPresent() && this.cache.isUsableOnError(stale.get())) {
                            countRead("stale");
                            return Mono.just(new ReadResult(stale.get().json(), ReadResult.Status.STALE,
                                    this.cache.age(stale.get())));
                        }
                        return Mono.error(ex);
                    });
                });
        });
    }

    /** The account facts the policy gets: read upstream only when a rule needs them. */
    private Mono<Optional<AccountFacts>> facts(int id, PolicyRequest request, Deadline deadline) {
        return this.cache.get(id).flatMap((cached) -> {
            if (!this.policy.needsAccount(request)) {
                return Mono.just(cached.map(AccountFactsReader::read));
            }
            if (cached.isPresent() && this.cache.isFresh(cached.get())) {
                return Mono.just(Optional.of(AccountFactsReader.read(cached.get())));
            }
            return this.cache.load(id, fetch(id), laneWait(deadline))
                .onErrorMap(LoadTimeoutException.class, (ex) -> new UpstreamTimeoutException(this.times.deadline()))
                .map((account) -> Optional.of(AccountFactsReader.read(account)))
                .doOnError(UpstreamClientException.class, (ex) -> evictIfGone(id, ex))
                .onErrorResume((ex) -> !(ex instanceof UpstreamClientException) && cached.isPresent()
                        && this.cache.isUsableOnError(cached.get()),
                        (ex) -> Mono.just(Optional.of(AccountFactsReader.read(cached.get()))));
        });
    }

    /** The shared read of one account: a deadline of its own, since it serves several callers. */
    private Supplier<Mono<byte[]>> fetch(int id) {
        return () -> this.mailReach.fetchAccount(id, this.times.newDeadline());
    }

    /** MailReach no longer knows the account: a cached copy must not outlive it. */
    private void evictIfGone(int id, UpstreamClientException ex) {
        if (ex.upstreamStatus() == HttpStatus.NOT_FOUND.value()) {
            this.cache.evict(id);
        }
    }

    private void countDecisions(Decision decision) {
        this.metrics.decisions(decision);
    }

    private void countRead(String result) {
        this.metrics.read(result);
    }

    /** What a dry run answers: the tier, every rule's decision and the body that would go. */
    static byte[] preview(Caller caller, int id, Decision decision) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("dry_run", true);
        root.put("account_id", id);
        root.put("caller", caller.name());
        root.put("tier", decision.tier());
        root.put("tier_source", decision.tierSource());
        root.put("policy_version", decision.policyVersion());
        root.put("verdict", decision.verdict().name().toLowerCase(java.util.Locale.ROOT));
        root.set("decisions", MAPPER.valueToTree(
                decision.rules().stream().map(PolicyRefusedException::render).collect(Collectors.toList())));
        if (decision.verdict() == Decision.Verdict.FORWARD) {
            root.set("forward", MAPPER.valueToTree(new LinkedHashMap<>(decision.forward())));
        }
        else {
            root.putNull("forward");
        }
        return MAPPER.writeValueAsBytes(root);
    }

    /**
     * The result of an update.
     *
     * @param account the account JSON as MailReach returned it ({@code null} for a dry run)
     * @param decision the policy's decision
     * @param preview the dry-run answer ({@code null} for a real update)
     */
    record UpdateResult(byte[] account, Decision decision, byte[] preview) {
    }

    /**
     * The result of a read.
     *
     * @param account the account JSON as MailReach returned it
     * @param status where it came from
     * @param age how old the copy is
     */
    record ReadResult(byte[] account, Status status, Duration age) {

        enum Status {

            HIT, MISS, STALE

        }

    }

}
