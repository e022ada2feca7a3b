package com.mailreachgateway.upstream;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.bucket4j.TimeMeter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Wires the way to MailReach: the HTTP client on the application's own Netty resources, the
 * circuit breaker, the retry, the key's pause and the rate limit's bucket. The client itself
 * ({@link MailReachClient}) only runs calls.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MailReachProperties.class)
class MailReachClientConfiguration {

    /** Reactor context key of a flag the HTTP client sets once an attempt's request is being written. */
    static final String WRITTEN = MailReachClientConfiguration.class.getName() + ".written";

    /** The most of one MailReach answer the client holds in memory; a larger one is refused (502), not read. */
    static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

    /**
     * The application owns its Netty resources instead of sharing Reactor Netty's global ones: closing
     * one application context (a graceful stop, or one of several contexts in a test JVM) frees only its
     * own loops. The server and the MailReach client share these loops; the pool is MailReach's.
     */
    @Bean
    ReactorResourceFactory reactorResourceFactory(MailReachProperties properties) {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        MailReachProperties.Pool pool = properties.pool();
        factory.setConnectionProviderSupplier(() -> ConnectionProvider.builder(MailReachClient.INSTANCE)
            .maxConnections(pool.maxConnections())
            .pendingAcquireMaxCount(pool.maxPending())
            .pendingAcquireTimeout(properties.responseTimeout())
            .maxIdleTime(pool.maxIdleTime())
            .build());
        return factory;
    }

    /**
     * A connector that follows the resource factory's lifecycle: when the context is stopped and started
     * again (Spring's test context pausing does this), it rebuilds its client on the new loops instead of
     * keeping disposed ones.
     */
    @Bean
    ReactorClientHttpConnector mailReachConnector(ReactorResourceFactory resources, MailReachProperties properties) {
        return new ReactorClientHttpConnector(resources,
                (http) -> http.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
                    .doOnRequest((request, connection) -> markWritten(request)));
    }

    /** From here on the request may reach MailReach: an attempt without an answer is in doubt. */
    private static void markWritten(HttpClientRequest request) {
        request.currentContextView().<AtomicBoolean>getOrEmpty(WRITTEN).ifPresent((flag) -> flag.set(true));
    }

    @Bean
    WebClient mailReachWebClient(WebClient.Builder builder, ReactorClientHttpConnector mailReachConnector,
            MailReachProperties properties) {
        return builder.clone()
            // The gateway's own per-attempt timer (gateway.upstream.requests) measures these calls; a
            // second observation per attempt (http.client.requests) would only cost time on the event loop.
            .observationRegistry(ObservationRegistry.NOOP)
            .baseUrl(properties.baseUrl().toString())
            .clientConnector(mailReachConnector)
            .codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(MAX_ANSWER_BYTES))
            .defaultHeader("X-Api-Key", properties.apiKeyPrefix() + properties.apiKey())
            .defaultHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE)
            .build();
    }

    @Bean
    CircuitBreaker mailReachCircuitBreaker(MailReachProperties properties, MeterRegistry registry,
            ObjectProvider<Clock> clock) {
        MailReachProperties.CircuitBreaker cb = properties.circuitBreaker();
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
            .failureRateThreshold(cb.failureRateThreshold())
            .minimumNumberOfCalls(cb.minimumCalls())
            .slidingWindowSize(Math.max(cb.slidingWindowSize(), cb.minimumCalls()))
            .waitDurationInOpenState(cb.openDuration())
            .permittedNumberOfCallsInHalfOpenState(cb.halfOpenCalls())
            .clock(clock.getIfAvailable(Clock::systemUTC))
            .recordException((ex) -> ex instanceof AttemptFailure failure && failure.kind.unhealthy)
            // Refusals before an attempt (pause, permit, deadline) say nothing about MailReach's health.
            .ignoreException((ex) -> !(ex instanceof AttemptFailure))
            .build());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
        return breakers.circuitBreaker(MailReachClient.INSTANCE);
    }

    @Bean
    Retry mailReachRetry(MailReachProperties properties, MeterRegistry registry) {
        RetryRegistry retries = RetryRegistry.of(RetryConfig.<Object>custom()
            .maxAttempts(properties.retry().maxAttempts())
            .retryOnException((ex) -> ex instanceof AttemptFailure failure && failure.shouldRetry())
            .intervalBiFunction((attempt, outcome) -> (outcome.isLeft()
                    && outcome.getLeft() instanceof AttemptFailure failure) ? failure.retryDelayMillis() : 0L)
            .failAfterMaxAttempts(false)
            .build());
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(registry);
        return retries.retry(MailReachClient.INSTANCE);
    }

    /** The key's pause in this process; with {@code gateway.redis.enabled} the shared one replaces it. */
    @Bean
    @ConditionalOnProperty(name = "gateway.redis.enabled", havingValue = "false", matchIfMissing = true)
    KeyPause mailReachKeyPause(MailReachProperties properties) {
        return KeyPause.local(properties.responseTimeout());
    }

    /** The pause gauge, for whichever pause is in use (local or shared). */
    @Bean
    MeterBinder mailReachPauseGauge(KeyPause pause) {
        return (registry) -> Gauge.builder("gateway.upstream.pause", pause, (p) -> p.remaining().toNanos() / 1e9)
            .description("Seconds left of the pause MailReach asked for on the company key (0: not paused)")
            .baseUnit("seconds")
            .register(registry);
    }

    /** The bucket in this process; with {@code gateway.redis.enabled} the shared one replaces it. */
    @Bean
    @ConditionalOnProperty(name = "gateway.redis.enabled", havingValue = "false", matchIfMissing = true)
    PermitBucket mailReachPermits(MailReachProperties properties) {
        return PermitBucket.local(properties.rateLimit().requestsPerSecond(), TimeMeter.SYSTEM_NANOTIME);
    }

    @Bean(destroyMethod = "close")
    RateLimiter mailReachRateLimiter(PermitBucket permits, MailReachProperties properties, MeterRegistry registry) {
        return new RateLimiter(permits, properties.rateLimit().maxWait(), registry);
    }

}
