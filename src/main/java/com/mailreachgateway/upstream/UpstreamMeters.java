package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

/**
 * The meters of the calls to MailReach and the breaker's listeners, all registered at start-up, so
 * that a scrape (and an alert on them) sees zeros before the first call.
 */
@Component
class UpstreamMeters {

    private static final Logger logger = LoggerFactory.getLogger(MailReachClient.class);

    /** The outcome tag of an attempt MailReach answered with its account. */
    static final String SUCCESS = "success";

    private final Map<String, Timer> attemptTimers;

    private final Map<AttemptFailure.Kind, Counter> retryCounters = new EnumMap<>(AttemptFailure.Kind.class);

    private final Counter cappedRetryAfters;

    UpstreamMeters(MeterRegistry registry, CircuitBreaker mailReachCircuitBreaker, Retry mailReachRetry) {
        Map<String, Timer> timers = new java.util.HashMap<>();
        for (HttpMethod method : new HttpMethod[] { HttpMethod.GET, HttpMethod.POST }) {
            timers.put(method.name() + ' ' + SUCCESS, attemptTimer(registry, method, SUCCESS));
            for (AttemptFailure.Kind kind : AttemptFailure.Kind.values()) {
                timers.putIfAbsent(method.name() + ' ' + kind.tag, attemptTimer(registry, method, kind.tag));
            }
        }
        this.attemptTimers = Map.copyOf(timers);
        for (AttemptFailure.Kind kind : AttemptFailure.Kind.values()) {
            if (kind.retryable) {
                this.retryCounters.put(kind, Counter.builder("gateway.upstream.retries")
                    .description("Retries of MailReach calls, by reason")
                    .tag("reason", kind.tag)
                    .register(registry));
            }
        }
        this.cappedRetryAfters = Counter.builder("gateway.upstream.retry_after.capped")
            .description("Retry-After headers from MailReach longer than gateway.mailreach.max-pause, cut to it")
            .register(registry);
        mailReachCircuitBreaker.getEventPublisher()
            .onStateTransition((event) -> logger.warn("MailReach circuit breaker {}", event.getStateTransition()));
        mailReachRetry.getEventPublisher().onRetry((event) -> {
            if (event.getLastThrowable() instanceof AttemptFailure failure) {
                Counter counter = this.retryCounters.get(failure.kind);
                if (counter != null) {
                    counter.increment();
                }
            }
        });
    }

    private static Timer attemptTimer(MeterRegistry registry, HttpMethod method, String outcome) {
        return Timer.builder("gateway.upstream.requests")
            .description("Attempts at MailReach, by method and outcome")
            .tag("method", method.name())
            .tag("outcome", outcome)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(5))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    }

    /** One attempt of {@code method} ended as {@code outcome} after {@code nanos}. */
    void attempt(HttpMethod method, String outcome, long nanos) {
        this.attemptTimers.get(method.name() + ' ' + outcome).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A {@code Retry-After} longer than {@code max-pause} was cut to it. */
    void retryAfterCapped() {
        this.cappedRetryAfters.increment();
    }

}
