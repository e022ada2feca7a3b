package com.mailreachgateway.upstream;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mailreachgateway.system.GatewayException;
import com.mailreachgateway.system.RequestIds;
import com.mailreachgateway.system.Ticker;

import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

/**
 * The one place that turns a finished call (everything its attempts left behind) into the
 * exception the caller's answer is made from (see {@link UpstreamExceptions}).
 */
@Component
class CallErrors {

    private static final Logger logger = LoggerFactory.getLogger(MailReachClient.class);

    private final MailReachProperties properties;

    private final KeyPause pause;

    private final Ticker ticker;

    /** When the circuit last opened, so that {@code Retry-After} says how long is left. */
    private volatile long openedAt;

    CallErrors(MailReachProperties properties, KeyPause mailReachKeyPause, CircuitBreaker mailReachCircuitBreaker,
            Ticker ticker) {
        this.properties = properties;
        this.pause = mailReachKeyPause;
        this.ticker = ticker;
        this.openedAt = ticker.read();
        mailReachCircuitBreaker.getEventPublisher().onStateTransition((event) -> {
            if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                this.openedAt = ticker.read();
            }
        });
    }

    /**
     * The caller's answer, from everything the call's attempts left behind: an update with an attempt
     * in doubt is in doubt, whatever came after; otherwise the last answer MailReach gave; only a call
     * that never reached MailReach says so.
     */
    Throwable of(Throwable ex, Call call) {
        if (call.method == HttpMethod.POST && call.settleUntil != 0) {
            long left = Math.max(0, call.settleUntil - this.ticker.read());
            return new UpstreamExceptions.UpdateInDoubtException(call.attempts, Duration.ofNanos(left),
                    call.settleUntil);
        }
        if (ex instanceof AttemptFailure failure) {
            return (failure.kind.delivery == AttemptFailure.Delivery.ANSWERED || call.lastAnswered == null)
                    ? fromAttempt(failure, call) : fromAttempt(call.lastAnswered, call);
        }
        if (call.lastAnswered != null) {
            // A retry found no permit, an open circuit or a long pause: an earlier attempt reached
            // MailReach, so "nothing was sent" would be untrue. Answer with what that attempt met.
            return fromAttempt(call.lastAnswered, call);
        }
        if (call.lastFailure != null) {
            return fromAttempt(call.lastFailure, call);
        }
        if (ex instanceof CallNotPermittedException) {
            Duration open = this.properties.circuitBreaker().openDuration();
            Duration left = open.minusNanos(this.ticker.read() - this.openedAt);
            // Half-open with its trial calls taken: a second is a fair guess.
            return new UpstreamExceptions.CircuitOpenException(left.isNegative() ? Duration.ofSeconds(1) : left);
        }
        return ex;
    }

    private GatewayException fromAttempt(AttemptFailure failure, Call call) {
        return switch (failure.kind) {
            case CLIENT_ERROR -> new UpstreamExceptions.UpstreamClientException(failure.status,
                    failure.upstreamMessage);
            case AUTH_ERROR -> {
                try (RequestIds.MdcScope scope = RequestIds.inMdc(call.requestId)) {
                    logger.error("MailReach refused the gateway's key (HTTP {}): check gateway.mailreach.api-key",
                            failure.status);
                }
                yield new UpstreamExceptions.UpstreamAuthException(failure.status);
            }
            case THROTTLED -> {
                Duration left = this.pause.remaining();
                yield new UpstreamExceptions.UpstreamThrottledException(left.isZero() ? failure.nextWait : left);
            }
            case SERVER_ERROR -> new UpstreamExceptions.UpstreamUnavailableException("HTTP " + failure.status,
                    call.attempts);
            case BAD_RESPONSE -> new UpstreamExceptions.UpstreamUnavailableException(
                    "HTTP " + failure.status + ": " + failure.upstreamMessage, call.attempts);
            case TIMEOUT -> new UpstreamExceptions.UpstreamTimeoutException(this.properties.deadline());
            case CONNECTION_LOST -> new UpstreamExceptions.UpstreamUnavailableException("connection lost",
                    call.attempts);
            case NOT_SENT -> new UpstreamExceptions.NotSentException("MailReach could not be reached",
                    failure.nextWait);
        };
    }

}
