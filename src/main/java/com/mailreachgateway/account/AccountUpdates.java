package com.mailreachgateway.account;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import com.mailreachgateway.caller.Caller;
import com.mailreachgateway.policy.Decision;
import com.mailreachgateway.policy.PolicyEngine;
import com.mailreachgateway.policy.PolicyRequest;
import com.mailreachgateway.state.AccountCache;
import com.mailreachgateway.state.AccountLanes;
import com.mailreachgateway.state.AccountLock;
import com.mailreachgateway.state.LaneRefusedException;
import com.mailreachgateway.upstream.AttemptWatch;
import com.mailreachgateway.upstream.Deadline;
import com.mailreachgateway.upstream.MailReachClient;
import com.mailreachgateway.upstream.RequestTimes;
import com.mailreachgateway.upstream.UpstreamExceptions.NotSentException;
import com.mailreachgateway.upstream.UpstreamExceptions.UpdateInDoubtException;
import com.mailreachgateway.upstream.UpstreamExceptions.UpstreamClientException;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Service;

/**
 * Runs one update from validated request to cached result: it takes the account's turn (lock) and
 * this replica's lane, gets the account facts the policy needs, lets the policy decide, forwards what
 * the policy allows, and caches what MailReach returns; a dry run only decides and previews. However an
 * update ends (invalid ones included), its one record is written by {@link UpdateRecorder} around the
 * whole chain.
 */
@Service
class AccountUpdates {

    private final MailReachClient mailReach;

    private final RequestTimes times;

    private final AccountCache cache;

    private final AccountLanes lanes;

    private final AccountLock lock;

    private final PolicyEngine policy;

    private final AccountFactsLoader facts;

    private final AccountLoader loader;

    private final InDoubtSettlement inDoubt;

    private final UpdatePreview preview;

    private final UpdateRecorder recorder;

    private final UpdateMetrics metrics;

    private final JsonMapper mapper;

    AccountUpdates(MailReachClient mailReach, RequestTimes times, AccountCache cache, AccountLanes lanes,
            AccountLock lock, PolicyEngine policy, AccountFactsLoader facts, AccountLoader loader,
            InDoubtSettlement inDoubt, UpdatePreview preview, UpdateRecorder recorder, UpdateMetrics metrics,
            JsonMapper mapper) {
        this.mailReach = mailReach;
        this.times = times;
        this.cache = cache;
        this.lanes = lanes;
        this.lock = lock;
        this.policy = policy;
        this.facts = facts;
        this.loader = loader;
        this.inDoubt = inDoubt;
        this.preview = preview;
        this.recorder = recorder;
        this.metrics = metrics;
        this.mapper = mapper;
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
            Mono<UpdateResult> preview = decide(id, request, deadline, recording)
                .map((decision) -> new UpdateResult(null, decision, this.preview.render(caller, id, decision)));
            return recording.whole(preview, Outcomes.DRY_RUN);
        }
        // Once started, the work runs to its end even if its caller has gone away, and records that end.
        Function<AccountLock.Held, Mono<UpdateResult>> work = (held) -> recording.work(
                Mono.defer(() -> decide(id, request, deadline, recording)
                    .flatMap((decision) -> forward(id, decision, deadline, watch(held)))),
                Outcomes.FORWARDED);
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
     * Refuses an update that did not validate (or whose body was too large): it ends with
     * {@code error}, recorded once like every other update.
     *
     * @param accountId the account, {@code null} when the id itself was invalid
     * @param sent the fields the caller sent, empty when the body did not parse
     */
    <T> Mono<T> refuseInvalid(String requestId, Caller caller, Integer accountId, Map<String, Object> sent,
            Throwable error) {
        return this.recorder.begin(requestId, caller.name(), accountId, sent).whole(Mono.error(error),
                Outcomes.FORWARDED);
    }

    /** The policy's decision on the update, noted for its record before anything acts on it. */
    private Mono<Decision> decide(int id, PolicyRequest request, Deadline deadline,
            UpdateRecorder.Recording recording) {
        return this.facts.facts(id, request, deadline)
            .map((facts) -> this.policy.decide(request, facts.orElse(null)))
            .doOnNext(recording::decided);
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
        this.metrics.decisions(decision);
        if (decision.verdict() != Decision.Verdict.FORWARD) {
            return Mono.error(new PolicyRefusedException(decision));
        }
        return this.mailReach.updateAccount(id, this.mapper.writeValueAsBytes(decision.forward()), deadline, watch)
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
                    this.loader.evictIfGone(id, client);
                }
                else if (ex instanceof UpdateInDoubtException doubt) {
                    this.inDoubt.settle(id, doubt.settleUntilNanos());
                }
            });
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

}
