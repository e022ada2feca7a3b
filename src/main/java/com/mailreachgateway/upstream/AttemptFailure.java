package com.mailreachgateway.upstream;

import java.time.Duration;

/**
 * Why one attempt at MailReach failed, what the attempt left behind (nothing, an answer, or a
 * request MailReach may still apply), and how long to wait before the next one. Lives only
 * inside this package: the client turns a call's attempts into one gateway error.
 */
final class AttemptFailure extends RuntimeException {

    /** What reached MailReach. */
    enum Delivery {

        /** Nothing was written: connection refused or not made in time, no pooled connection. */
        NOT_SENT,
        /** MailReach answered with a status. */
        ANSWERED,
        /** The request was written and no complete answer came: MailReach may apply it, even later. */
        IN_DOUBT

    }

    /** Failure classes, as MailReach's retry guidance sorts them. */
    enum Kind {

        SERVER_ERROR("server_error", true, true, Delivery.ANSWERED),
        THROTTLED("throttled", true, false, Delivery.ANSWERED),
        CLIENT_ERROR("client_error", false, false, Delivery.ANSWERED),
        AUTH_ERROR("auth_error", false, false, Delivery.ANSWERED),
        BAD_RESPONSE("server_error", false, true, Delivery.ANSWERED),
        TIMEOUT("timeout", true, true, Delivery.IN_DOUBT),
        CONNECTION_LOST("io_error", true, true, Delivery.IN_DOUBT),
        NOT_SENT("not_sent", true, true, Delivery.NOT_SENT);

        final String tag;

        final boolean retryable;

        /** Whether the circuit breaker counts it: only signs that MailReach itself is unwell. */
        final boolean unhealthy;

        final Delivery delivery;

        Kind(String tag, boolean retryable, boolean unhealthy, Delivery delivery) {
            this.tag = tag;
            this.retryable = retryable;
            this.unhealthy = unhealthy;
            this.delivery = delivery;
        }

    }

    final Kind kind;

    final int status;

    final int attempt;

    /** Wait before the next attempt: {@code Retry-After} when MailReach sent one, else backoff. */
    final Duration nextWait;

    /** Whether the wait is a pause of the whole key, which the next attempt's admission waits out. */
    final boolean pausesKey;

    /** Whether the next attempt, after its wait, could still finish before the call's deadline. */
    final boolean fitsDeadline;

    /** MailReach's own words, for client errors; what was wrong with the answer, for bad responses. */
    final String upstreamMessage;

    AttemptFailure(Kind kind, int status, int attempt, Duration nextWait, boolean pausesKey, boolean fitsDeadline,
            String upstreamMessage) {
        super(kind.tag + ((status > 0) ? " " + status : ""), null, false, false);
        this.kind = kind;
        this.status = status;
        this.attempt = attempt;
        this.nextWait = nextWait;
        this.pausesKey = pausesKey;
        this.fitsDeadline = fitsDeadline;
        this.upstreamMessage = upstreamMessage;
    }

    boolean shouldRetry() {
        return this.kind.retryable && this.fitsDeadline;
    }

    /** The retry's own wait: none when the key is paused, since admission waits the pause out. */
    long retryDelayMillis() {
        return this.pausesKey ? 0L : this.nextWait.toMillis();
    }

}
