package com.mailreachgateway.upstream;

import java.time.Duration;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Admission in arrival order: waits out the key's pause, then takes a rate-limit permit, each wait
 * bounded so that the attempt still fits the caller's deadline after it.
 */
@Component
class PauseAndPermitAdmission implements Admission {

    private final KeyPause pause;

    private final RateLimiter rateLimiter;

    private final RequestTimes times;

    PauseAndPermitAdmission(KeyPause mailReachKeyPause, RateLimiter mailReachRateLimiter, RequestTimes times) {
        this.pause = mailReachKeyPause;
        this.rateLimiter = mailReachRateLimiter;
        this.times = times;
    }

    /**
     * Waits out the key's pause, then takes a permit; emits the permit and whether this attempt is
     * the probe after a pause. Each wait is bounded so that the attempt still fits the deadline after it.
     */
    @Override
    public Mono<Admitted> admit(Call call) {
        return this.pause.admission().flatMap((admission) -> {
            if (admission.decision() == KeyPause.Admission.Decision.WAIT) {
                if (!call.fits(admission.delay())) {
                    Duration left = this.pause.remaining();
                    return Mono.error(new UpstreamExceptions.UpstreamThrottledException(
                            left.isZero() ? admission.delay() : left));
                }
                return Mono.delay(admission.delay()).then(admit(call));
            }
            return permit(call, admission.decision() == KeyPause.Admission.Decision.PROBE);
        });
    }

    @Override
    public Mono<Admitted> again(Call call, Admitted expired) {
        return expired.probe() ? permit(call, true) : admit(call);
    }

    @Override
    public <T> Mono<T> withdraw(Admitted admitted, Throwable refusal) {
        return refused(admitted.probe(), refusal);
    }

    /** Takes a permit for an attempt the key's pause let through (as its probe, or not). */
    private Mono<Admitted> permit(Call call, boolean probe) {
        Duration limit = call.deadline.remaining().minus(this.times.attemptTime());
        boolean deadlineBound = limit.compareTo(this.rateLimiter.maxWait()) < 0;
        if (!deadlineBound) {
            limit = this.rateLimiter.maxWait();
        }
        if (limit.isNegative()) {
            return refused(probe, new UpstreamExceptions.NotSentException(
                    "The deadline left no time for an attempt at MailReach", Duration.ofSeconds(1)));
        }
        boolean byDeadline = deadlineBound;
        return this.rateLimiter.acquire(limit)
            .flatMap((permit) -> probe ? Mono.just(new Admitted(true, permit)) : afterPermit(call, permit))
            .onErrorResume(RateLimiter.NoPermitException.class, (none) -> refused(probe, byDeadline
                    ? new UpstreamExceptions.NotSentException("No MailReach permit came before the deadline",
                            none.nextPermit)
                    : new UpstreamExceptions.RateLimitedException(none.nextPermit)));
    }

    /**
     * The key may have been paused while this call waited for its permit (by this replica or, with
     * shared state, by another): it then waits out the pause like any other call, and the permit is
     * spent (never given back, which only errs on the safe side). A pause that ended meanwhile may
     * make this call the probe.
     */
    private Mono<Admitted> afterPermit(Call call, Permit permit) {
        return this.pause.admission().flatMap((admission) -> switch (admission.decision()) {
            case GO -> Mono.just(new Admitted(false, permit));
            case PROBE -> Mono.just(new Admitted(true, permit));
            case WAIT -> admit(call);
        });
    }

    private <T> Mono<T> refused(boolean probe, Throwable refusal) {
        if (probe) {
            this.pause.probeEnded(false);
        }
        return Mono.error(refusal);
    }

}
