package com.mailreachgateway.upstream;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway talks to MailReach, under {@code gateway.mailreach}.
 *
 * @param baseUrl MailReach's API root; the gateway calls {@code {base-url}/v1/accounts/{id}}
 * @param apiKey the company's MailReach key, sent as {@code X-Api-Key}; never logged
 * @param apiKeyPrefix text put before the key in the header (MailReach's guides disagree on a
 * {@code Bearer } prefix; the reference pages send the bare key)
 * @param connectTimeout TCP connect timeout
 * @param responseTimeout time allowed for one attempt, from request to complete response
 * @param deadline time allowed for one caller's request: lane wait, account read, permit and pause
 * waits, attempts and backoffs
 * @param settleTime how long MailReach may still apply an attempt that got no answer; the account's
 * next update waits it out (default: twice {@code response-timeout})
 * @param maxPause the longest pause a {@code Retry-After} from MailReach may put on the company key;
 * a longer one is cut to this, counted and logged, so one absurd header cannot stop every update
 * for hours
 * @param rateLimit the outbound rate limit
 * @param retry retry policy
 * @param circuitBreaker circuit breaker policy
 * @param pool connection pool
 */
@Validated
@ConfigurationProperties("gateway.mailreach")
public record MailReachProperties(@NotNull URI baseUrl, @NotBlank String apiKey, @DefaultValue("") String apiKeyPrefix,
        @NotNull @DefaultValue("2s") Duration connectTimeout, @NotNull @DefaultValue("10s") Duration responseTimeout,
        @NotNull @DefaultValue("30s") Duration deadline, Duration settleTime,
        @NotNull @DefaultValue("5m") Duration maxPause, @Valid @DefaultValue RateLimit rateLimit,
        @Valid @DefaultValue Retry retry, @Valid @DefaultValue CircuitBreaker circuitBreaker,
        @Valid @DefaultValue Pool pool) {

    /** The base URL must say where MailReach is: an absolute http or https URL. */
    @AssertTrue(message = "gateway.mailreach.base-url must be an absolute http(s) URL, e.g. https://api.mailreach.co/api")
    public boolean isBaseUrlAbsolute() {
        return this.baseUrl != null && this.baseUrl.isAbsolute() && this.baseUrl.getHost() != null
                && ("http".equals(this.baseUrl.getScheme()) || "https".equals(this.baseUrl.getScheme()));
    }

    /** An attempt must fit in the deadline, or no update could ever be sent. */
    @AssertTrue(message = "gateway.mailreach.deadline must be longer than gateway.mailreach.response-timeout")
    public boolean isDeadlineLongerThanOneAttempt() {
        return this.deadline == null || this.responseTimeout == null || this.deadline.compareTo(this.responseTimeout) > 0;
    }

    /** A pause of zero or less would let every call through a 429: not a cap, a way to ignore MailReach. */
    @AssertTrue(message = "gateway.mailreach.max-pause must be positive")
    public boolean isMaxPausePositive() {
        return this.maxPause == null || (!this.maxPause.isNegative() && !this.maxPause.isZero());
    }

    /** The settle window: as configured, else twice the response timeout. */
    @Override
    public Duration settleTime() {
        return (this.settleTime != null) ? this.settleTime : this.responseTimeout.multipliedBy(2);
    }

    /**
     * Outbound rate limit, per MailReach key.
     *
     * @param requestsPerSecond most requests MailReach sees in any one second (its guidance: 20)
     * @param maxWait how long a call may queue for a permit before the caller gets 429
     */
    public record RateLimit(@Min(1) @DefaultValue("20") int requestsPerSecond,
            @NotNull @DefaultValue("2s") Duration maxWait) {
    }

    /**
     * Retries of 5xx, connection errors, timeouts and 429s.
     *
     * @param maxAttempts attempts in all, the first included
     * @param initialBackoff wait before the second attempt; doubles each time
     * @param maxBackoff longest wait between attempts
     * @param jitter random share taken off or added to each backoff, 0 to 1
     */
    public record Retry(@Min(1) @DefaultValue("5") int maxAttempts, @NotNull @DefaultValue("1s") Duration initialBackoff,
            @NotNull @DefaultValue("8s") Duration maxBackoff,
            @DecimalMin("0") @DecimalMax("1") @DefaultValue("0.2") double jitter) {
    }

    /**
     * Circuit breaker over attempts; only 5xx, connection errors and timeouts count as failures.
     *
     * @param failureRateThreshold failure percentage that opens the circuit
     * @param minimumCalls calls needed before the rate is judged
     * @param slidingWindowSize calls the rate is computed over
     * @param openDuration how long the circuit stays open before letting trial calls through
     * @param halfOpenCalls trial calls allowed while half-open
     */
    public record CircuitBreaker(@DecimalMin("1") @DecimalMax("100") @DefaultValue("50") float failureRateThreshold,
            @Min(1) @DefaultValue("10") int minimumCalls, @Min(1) @DefaultValue("20") int slidingWindowSize,
            @NotNull @DefaultValue("30s") Duration openDuration, @Min(1) @DefaultValue("3") int halfOpenCalls) {
    }

    /**
     * Connection pool towards MailReach.
     *
     * @param maxConnections most open connections
     * @param maxPending most requests waiting for a connection
     * @param maxIdleTime idle connections are closed after this, below MailReach's own idle timeout
     */
    public record Pool(@Min(1) @DefaultValue("50") int maxConnections, @Min(1) @DefaultValue("500") int maxPending,
            @NotNull @DefaultValue("20s") Duration maxIdleTime) {
    }

}
