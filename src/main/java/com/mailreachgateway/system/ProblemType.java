package com.mailreachgateway.system;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * The catalogue of problems the gateway answers with (RFC 9457 {@code type} URIs). Every
 * error response carries one of these types; the README lists them.
 */
public enum ProblemType {

    /** The request body or path did not validate. */
    INVALID_REQUEST(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request"),
    /** Missing or unknown caller key. */
    UNAUTHENTICATED(HttpStatus.UNAUTHORIZED, "unauthenticated", "Unknown caller"),
    /** The caller may not change a field. */
    FIELD_FORBIDDEN(HttpStatus.FORBIDDEN, "field-forbidden", "Field not allowed for this caller"),
    /** A policy rule in reject mode refused a value. */
    POLICY_VIOLATION(HttpStatus.UNPROCESSABLE_CONTENT, "policy-violation", "Rejected by the warming policy"),
    /** The body is larger than the gateway accepts. */
    PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Request body too large"),
    /** The gateway's own MailReach rate limit had no permit within the allowed wait. */
    RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests to MailReach"),
    /** MailReach answered with a client error, passed on with its status. */
    UPSTREAM_CLIENT_ERROR(HttpStatus.BAD_REQUEST, "upstream-client-error", "MailReach refused the request"),
    /** MailReach refused the gateway's own key: a gateway misconfiguration. */
    UPSTREAM_AUTH_ERROR(HttpStatus.BAD_GATEWAY, "upstream-auth-error", "MailReach refused the gateway's credentials"),
    /** MailReach kept failing (5xx or connection errors) until the retries were spent. */
    UPSTREAM_UNAVAILABLE(HttpStatus.BAD_GATEWAY, "upstream-unavailable", "MailReach is failing"),
    /** A read got no answer from MailReach within the deadline. */
    UPSTREAM_TIMEOUT(HttpStatus.GATEWAY_TIMEOUT, "upstream-timeout", "MailReach did not answer in time"),
    /** An update attempt reached MailReach and got no answer, and no later attempt succeeded. */
    UPDATE_IN_DOUBT(HttpStatus.GATEWAY_TIMEOUT, "in-doubt", "The update may have been applied"),
    /** MailReach throttled the gateway (429) longer than the deadline allows. */
    UPSTREAM_THROTTLED(HttpStatus.SERVICE_UNAVAILABLE, "upstream-throttled", "MailReach is throttling the gateway"),
    /** The circuit breaker is open: MailReach is given time to recover. */
    CIRCUIT_OPEN(HttpStatus.SERVICE_UNAVAILABLE, "circuit-open", "MailReach is temporarily unavailable"),
    /** Nothing reached MailReach (lane or permit wait past the deadline, unreachable, queue full). */
    NOT_SENT(HttpStatus.SERVICE_UNAVAILABLE, "not-sent", "Not sent to MailReach"),
    /**
     * Replicas share MailReach's budget through Redis, Redis is unreachable and
     * {@code gateway.redis.on-failure} is {@code refuse}: nothing was sent, safe to retry.
     */
    SHARED_STATE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "shared-state-unavailable",
            "Shared gateway state unavailable"),
    /** Anything the framework reports (404, 405, 415, ...), with its own status. */
    HTTP_ERROR(HttpStatus.BAD_REQUEST, "http-error", "Request not accepted"),
    /** A defect in the gateway; the log line with the request id says more. */
    INTERNAL_ERROR(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error");

    private static final String BASE = "https://mailreach-gateway.internal/problems/";

    private final HttpStatus status;

    private final URI type;

    private final String title;

    ProblemType(HttpStatus status, String slug, String title) {
        this.status = status;
        this.type = URI.create(BASE + slug);
        this.title = title;
    }

    public HttpStatus status() {
        return this.status;
    }

    public URI type() {
        return this.type;
    }

    public String title() {
        return this.title;
    }

    /** A problem body of this type, with its title: the one place a problem's type and title are set. */
    public ProblemDetail problem(HttpStatusCode status, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(this.type);
        problem.setTitle(this.title);
        return problem;
    }

}
