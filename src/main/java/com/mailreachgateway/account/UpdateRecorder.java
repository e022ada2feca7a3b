package com.mailreachgateway.account;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.mailreachgateway.policy.Decision;
import com.mailreachgateway.system.Ticker;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Records how each update ended, exactly once: one {@code gateway_updates_total} sample and one
 * audit line, whatever ended it (forwarded, refused by the policy, invalid, a dry run, refused by
 * the lane or the account lock, failed upstream, in doubt, or its caller gone before its turn).
 * Recording is not a side effect of mapping errors: {@link Recording#whole} sits around the whole
 * chain of an update and {@link Recording#work} around the part that runs to its end even when the
 * caller leaves, and whichever sees the end first records it.
 */
@Component
class UpdateRecorder {

    /**
     * The audit status of an update whose caller left before it started: no answer was sent
     * (nginx's "client closed request").
     */
    static final int CALLER_GONE_STATUS = 499;

    private final UpdateAudit audit;

    private final UpdateMetrics metrics;

    private final Ticker ticker;

    UpdateRecorder(UpdateAudit audit, UpdateMetrics metrics, Ticker ticker) {
        this.audit = audit;
        this.metrics = metrics;
        this.ticker = ticker;
    }

    /**
     * Starts the record of one update that arrived now.
     *
     * @param accountId the account, {@code null} when the id itself was invalid
     * @param sent the fields the caller sent, empty when the body did not parse
     */
    Recording begin(String requestId, String caller, Integer accountId, Map<String, Object> sent) {
        return new Recording(requestId, caller, accountId, sent, this.ticker.read());
    }

    /** One update's record: written once, by whichever signal ends the update first. */
    final class Recording {

        private static final int WAITING = 0;

        private static final int STARTED = 1;

        private static final int RECORDED = 2;

        private final String requestId;

        private final String caller;

        private final Integer accountId;

        private final Map<String, Object> sent;

        private final long arrived;

        private final AtomicInteger state = new AtomicInteger(WAITING);

        private volatile Decision decision;

        private Recording(String requestId, String caller, Integer accountId, Map<String, Object> sent,
                long arrived) {
            this.requestId = requestId;
            this.caller = caller;
            this.accountId = accountId;
            this.sent = sent;
            this.arrived = arrived;
        }

        /** The policy's decision, for the audit line of however the update ends. */
        void decided(Decision decision) {
            this.decision = decision;
        }

        /**
         * Around the whole chain of an update (lane, lock, work; or a dry run): a value ends it with
         * {@code successOutcome}, an error with the error's outcome, and a caller that leaves before the
         * work started ends it as {@code abandoned}. A caller that leaves once the work has started
         * changes nothing: the work runs to its end and {@link #work} records that.
         */
        <T> Mono<T> whole(Mono<T> chain, String successOutcome) {
            return endOf(chain, successOutcome).doOnCancel(this::callerGone);
        }

        /**
         * Around the work that, once started, runs to its end whether or not its caller waits: records
         * that end. The work does not start (completes empty) if its caller left before its turn came,
         * which has been recorded as {@code abandoned}: nothing was sent, and nobody waits for it.
         */
        <T> Mono<T> work(Mono<T> work, String successOutcome) {
            return Mono.defer(() -> this.state.compareAndSet(WAITING, STARTED) ? endOf(work, successOutcome)
                    : Mono.empty());
        }

        private <T> Mono<T> endOf(Mono<T> chain, String successOutcome) {
            return chain.doOnSuccess((value) -> {
                if (value != null) {
                    ended(successOutcome, 200);
                }
            }).doOnError(this::failed);
        }

        /**
         * Ends the update with the outcome of {@code error}. The error carries no decision: a refused
         * update's decision was noted by {@link #decided} before the refusal was raised.
         */
        private void failed(Throwable error) {
            ended(Outcomes.of(error), Outcomes.status(error));
        }

        private void callerGone() {
            if (this.state.compareAndSet(WAITING, RECORDED)) {
                write(Outcomes.ABANDONED, CALLER_GONE_STATUS);
            }
        }

        /** Ends the update with {@code outcome} and the answer's {@code status}, unless it has ended already. */
        private void ended(String outcome, int status) {
            if (this.state.getAndSet(RECORDED) != RECORDED) {
                write(outcome, status);
            }
        }

        private void write(String outcome, int status) {
            UpdateRecorder.this.metrics.update(this.caller, outcome);
            UpdateRecorder.this.audit.update(this.requestId, this.caller, this.accountId, this.sent, this.decision,
                    outcome, status, Duration.ofNanos(UpdateRecorder.this.ticker.read() - this.arrived));
        }

    }

}
