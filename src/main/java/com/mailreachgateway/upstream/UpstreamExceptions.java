package com.mailreachgateway.upstream;

import java.time.Duration;

import com.mailreachgateway.system.GatewayException;
import com.mailreachgateway.system.ProblemType;

import org.springframework.http.HttpStatusCode;

/**
 * The ways a call to MailReach can end badly, each a gateway error with its own status. Each
 * says what the caller may conclude: only the ones for calls that never reached MailReach (or
 * that MailReach refused) say nothing was applied; an update with an attempt left unanswered is
 * {@link UpdateInDoubtException}.
 */
public final class UpstreamExceptions {

    private UpstreamExceptions() {
    }

    /** Thrown when no rate-limit permit was free within {@code max-wait}; nothing was sent. */
    public static final class RateLimitedException extends GatewayException {

        RateLimitedException(Duration retryAfter) {
            super(ProblemType.RATE_LIMITED, "The gateway is sending MailReach as many requests as it allows; "
                    + "nothing was sent, try again after Retry-After.");
            retryAfter(retryAfter);
        }

    }

    /** Thrown while the circuit breaker is open: MailReach gets nothing until it may recover. */
    public static final class CircuitOpenException extends GatewayException {

        CircuitOpenException(Duration retryAfter) {
            super(ProblemType.CIRCUIT_OPEN, "MailReach has been failing; the gateway is letting it recover before "
                    + "calling it again. Nothing was sent, try again after Retry-After.");
            retryAfter(retryAfter);
        }

    }

    /** Thrown when a request never reached MailReach, so nothing of it was applied. */
    public static final class NotSentException extends GatewayException {

        public NotSentException(String why, Duration retryAfter) {
            super(ProblemType.NOT_SENT, why + "; nothing was sent to MailReach, so nothing was applied. "
                    + "Try again after Retry-After.");
            retryAfter(retryAfter);
        }

    }

    /** Thrown when MailReach refuses the request itself (4xx other than 401, 403, 429). */
    public static final class UpstreamClientException extends GatewayException {

        private final int upstreamStatus;

        UpstreamClientException(int status, String message) {
            super(ProblemType.UPSTREAM_CLIENT_ERROR, HttpStatusCode.valueOf(status), message);
            this.upstreamStatus = status;
        }

        public int upstreamStatus() {
            return this.upstreamStatus;
        }

    }

    /** Thrown when MailReach refuses the gateway's key (401/403): the gateway is misconfigured. */
    public static final class UpstreamAuthException extends GatewayException {

        UpstreamAuthException(int status) {
            super(ProblemType.UPSTREAM_AUTH_ERROR, "MailReach answered " + status
                    + " to the gateway's own key; the operators have been alerted by the gateway's metrics.");
        }

    }

    /** Thrown when MailReach answered every attempt with a failure (5xx, or an answer its API does not give). */
    public static final class UpstreamUnavailableException extends GatewayException {

        UpstreamUnavailableException(String what, int attempts) {
            super(ProblemType.UPSTREAM_UNAVAILABLE, "MailReach failed (" + what + ") on " + attempts
                    + " attempt(s); every attempt was answered, so none is still in flight.");
        }

    }

    /** Thrown when a read got no answer from MailReach within the deadline. */
    public static final class UpstreamTimeoutException extends GatewayException {

        public UpstreamTimeoutException(Duration deadline) {
            super(ProblemType.UPSTREAM_TIMEOUT,
                    "MailReach did not answer within " + deadline.toMillis() + " ms; try again later.");
        }

    }

    /**
     * Thrown when an update attempt reached MailReach and got no answer (timeout, connection lost
     * after the request was written) and no later attempt succeeded: MailReach may have applied it,
     * and may still apply it until the settle window has passed.
     */
    public static final class UpdateInDoubtException extends GatewayException {

        private final long settleUntilNanos;

        UpdateInDoubtException(int attempts, Duration settleLeft, long settleUntilNanos) {
            super(ProblemType.UPDATE_IN_DOUBT, "MailReach got the update but did not answer (" + attempts
                    + " attempt(s)); it may have been applied. Read the account after " + settleLeft.toSeconds()
                    + " s (the settle window) before deciding to send it again.");
            this.settleUntilNanos = settleUntilNanos;
        }

        /** Until when MailReach may still apply it, on the shared {@link com.mailreachgateway.system.Ticker}. */
        public long settleUntilNanos() {
            return this.settleUntilNanos;
        }

    }

    /** Thrown when MailReach throttled the key (429) for longer than the deadline allows; nothing was applied. */
    public static final class UpstreamThrottledException extends GatewayException {

        UpstreamThrottledException(Duration retryAfter) {
            super(ProblemType.UPSTREAM_THROTTLED, "MailReach is throttling the gateway's key; the update was not "
                    + "applied. Try again after Retry-After.");
            retryAfter(retryAfter);
        }

    }

}
