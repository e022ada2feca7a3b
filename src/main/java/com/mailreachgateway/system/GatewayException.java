package com.mailreachgateway.system;

import java.time.Duration;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.ErrorResponseException;

/**
 * Base of the gateway's condition-named exceptions: each one renders as a problem+json body
 * of one {@link ProblemType}. Flow-control conditions are expected, so no stack trace is kept.
 */
public abstract class GatewayException extends ErrorResponseException {

    private final ProblemType problemType;

    protected GatewayException(ProblemType type, String detail) {
        this(type, type.status(), detail);
    }

    protected GatewayException(ProblemType type, HttpStatusCode status, String detail) {
        super(status, type.problem(status, detail), null);
        this.problemType = type;
    }

    public ProblemType problemType() {
        return this.problemType;
    }

    /** Adds a {@code Retry-After} header, in whole seconds, at least one. */
    protected final void retryAfter(Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        getBody().setProperty("retryAfterSeconds", seconds);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

}
