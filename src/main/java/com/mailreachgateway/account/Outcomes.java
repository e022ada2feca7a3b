package com.mailreachgateway.account;

import com.mailreachgateway.system.GatewayException;
import com.mailreachgateway.system.ProblemType;

import org.springframework.core.NestedRuntimeException;
import org.springframework.core.io.buffer.DataBufferLimitException;

/** Names an update's outcome for metrics and the audit log (low cardinality, stable). */
final class Outcomes {

    /** MailReach answered the update (200). */
    static final String FORWARDED = "forwarded";

    /** A dry run answered its preview (200), whatever the policy's verdict. */
    static final String DRY_RUN = "dry_run";

    /** The request did not validate (400, 413, 415): nothing went upstream. */
    static final String INVALID = "invalid";

    /** The caller left before its update's turn came: it was dropped, nothing was sent. */
    static final String ABANDONED = "abandoned";

    private Outcomes() {
    }

    static String of(Throwable ex) {
        if (tooLarge(ex)) {
            return INVALID;
        }
        if (!(ex instanceof GatewayException gateway)) {
            return "error";
        }
        return switch (gateway.problemType()) {
            case INVALID_REQUEST, PAYLOAD_TOO_LARGE, HTTP_ERROR -> INVALID;
            case UNAUTHENTICATED -> "unauthorized";
            case FIELD_FORBIDDEN -> "forbidden";
            case POLICY_VIOLATION -> "rejected";
            case RATE_LIMITED -> "rate_limited";
            case CIRCUIT_OPEN -> "circuit_open";
            case UPSTREAM_CLIENT_ERROR -> "upstream_client_error";
            case UPSTREAM_AUTH_ERROR -> "upstream_auth_error";
            case UPSTREAM_UNAVAILABLE, UPSTREAM_THROTTLED -> "upstream_error";
            case UPSTREAM_TIMEOUT -> "timeout";
            case UPDATE_IN_DOUBT -> "in_doubt";
            case NOT_SENT -> "not_sent";
            case SHARED_STATE_UNAVAILABLE -> "shared_state_unavailable";
            case INTERNAL_ERROR -> "error";
        };
    }

    static int status(Throwable ex) {
        if (tooLarge(ex)) {
            return ProblemType.PAYLOAD_TOO_LARGE.status().value();
        }
        return (ex instanceof GatewayException gateway) ? gateway.getStatusCode().value() : 500;
    }

    /**
     * A request body over the codec's limit, as the framework reports it (bare, or inside an input
     * error): the problem handler answers it 413, so it is an invalid update.
     */
    static boolean tooLarge(Throwable ex) {
        return ex instanceof DataBufferLimitException
                || (ex instanceof NestedRuntimeException nested && nested.contains(DataBufferLimitException.class));
    }

}
