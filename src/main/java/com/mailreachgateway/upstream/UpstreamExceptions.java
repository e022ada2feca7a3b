package com.mailreachgateway.upstream;

import java.time.Duration;

import com.mailreachgateway.system.GatewayException;
import com.mailreachgateway.system.ProblemType;

import org.springframework.http.HttpStatusCode;

/** The ways a call to MailReach can end badly, each a gateway error with its own status. */
public final class UpstreamExceptions {

    private UpstreamExceptions() {
    }

    /** Thrown when no rate-limit permit was free within {@code max-wait}. */
    public static final class RateLimitedException extends GatewayException {

        RateLimitedException(Duration retryAfter) {
            super(ProblemType.RATE_LIMITED,
                    "The gateway is sending MailReach as many requests as it allows; try again shortly.");
            retryAfter(retryAfter);
        }

    }

    /** Thrown while the circuit breaker is open: MailReach gets nothing until it may recover. */
    public static final class CircuitOpenException extends GatewayException {

        CircuitOpenException(Duration retryAfter) {
            super(ProblemType.CIRCUIT_OPEN,
                    "MailReach has been failing; the gateway is letting it recover before calling it again.");
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

    /** Thrown when MailReach kept failing (5xx or unreachable) until the attempts were spent. */
    public static final class UpstreamUnavailableException extends GatewayException {

        UpstreamUnavailableException(String what, int attempts) {
            super(ProblemType.UPSTREAM_UNAVAILABLE,
                    "MailReach failed (" + what + ") on " + attempts + " attempt(s); the update was not applied.");
        }

    }

    /** Thrown when MailReach did not answer within the deadline. */
    public static final class UpstreamTimeoutException extends GatewayException {

        public UpstreamTimeoutException(Duration deadline) {
            super(ProblemType.UPSTREAM_TIMEOUT, "MailReach did not answer within " + deadline.toMillis()
                    + " ms; whether an update was applied is unknown, so read the account before retrying.");
        }

    }

    /** Thrown when MailReach throttled the gateway (429) for longer than the deadline allows. */
    public static final class UpstreamThrottledException extends GatewayException {

        UpstreamThrottledException(Duration retryAfter) {
            super(ProblemType.UPSTREAM_THROTTLED, "MailReach is throttling the gateway; the update was not applied.");
            retryAfter(retryAfter);
        }

    }

}
