package com.mailreachgateway.upstream;

import java.time.Duration;

/**
 * Why one attempt at MailReach failed, and how long to wait before the next one if it may be
 * retried. Lives only inside this package: the client turns the last one into a gateway error.
 */
final class AttemptFailure extends RuntimeException {

    /** Failure classes, as MailReach's retry guidance sorts them. */
    enum Kind {

        SERVER_ERROR("server_error", true, true), IO_ERROR("io_error", true, true), TIMEOUT("timeout", true, true),
        THROTTLED("throttled", true, false), CLIENT_ERROR("client_error", false, false),
        AUTH_ERROR("auth_error", false, false), BAD_RESPONSE("server_error", false, true);

        final String tag;

        final boolean retryable;

        /** Whether the circuit breaker counts it: only signs that MailReach itself is unwell. */
        final boolean unhealthy;

        Kind(String tag, boolean retryable, boolean unhealthy) {
            this.tag = tag;
            this.retryable = retryable;
            this.unhealthy = unhealthy;
        }

    }

    final Kind kind;

    final int status;

    final int attempt;

    /** Wait before the next attempt: {@code Retry-After} for a 429 that sent one, else backoff. */
    final Duration nextWait;

    /** Whether the next attempt would start before the call's deadline. */
    final boolean fitsDeadline;

    /** MailReach's own words, for client errors. */
    final String upstreamMessage;

    /** The {@code Retry-After} MailReach sent, or {@code null}. */
    final Duration retryAfter;

    AttemptFailure(Kind kind, int status, int attempt, Duration nextWait, boolean fitsDeadline,
            String upstreamMessage, Duration retryAfter) {
        super(kind.tag + ((status > 0) ? " " + status : ""), null, false, false);
        this.kind = kind;
        this.status = status;
        this.attempt = attempt;
        this.nextWait = nextWait;
        this.fitsDeadline = fitsDeadline;
        this.upstreamMessage = upstreamMessage;
        this.retryAfter = retryAfter;
    }

    boolean shouldRetry() {
        return this.kind.retryable && this.fitsDeadline;
    }

}
