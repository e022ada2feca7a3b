package com.mailreachgateway.upstream;

import java.time.Clock;
import java.util.function.Supplier;

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
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import com.mailreachgateway.system.Ticker;

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
 * Wires the way to MailReach: its connection pool (on the application's own Netty resources), the
 * HTTP client, the circuit breaker, the retry, the key's pause and the rate limit's bucket. The
 * client itself ({@link MailReachClient}) only runs calls.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MailReachProperties.class)
class MailReachClientConfiguration {

    /** The most of one MailReach answer the client holds in memory; a larger one is refused (502), not read. */
    static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

    /**
     * MailReach's connection pool, which the application's Netty resources
     * ({@code system.NettyResourcesConfiguration}) create and close with their loops.
     */
    @Bean
    Supplier<ConnectionProvider> mailReachConnectionPool(MailReachProperties properties) {
        MailReachProperties.Pool pool = properties.pool();
        return () -> ConnectionProvider.builder(MailReachClient.INSTANCE)
            .maxConnections(pool.maxConnections())
            .pendingAcquireMaxCount(pool.maxPending())
            .pendingAcquireTimeout(properties.responseTimeout())
            .maxIdleTime(pool.maxIdleTime())
            .build();
    }

    /**
     * A connector that follows the resource factory's lifecycle: when the context is stopped and started
     * again (Spring's test context pausing does this), it rebuilds its client on the new loops instead of
     * keeping disposed ones.
     */
    @Bean
    ReactorClientHttpConnector mailReachConnector(ReactorResourceFactory resources, MailReachProperties properties,
            LoopResources mailReachLoops) {
        return new ReactorClientHttpConnector(resources, (http) -> http.runOn(mailReachLoops)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis()));
    }

    /**
     * The MailReach client's own event loop: a request waits there for its permit's slot and is written
     * then, so it must not queue behind the server's work (a thousand callers' requests). Measured with
     * BudgetAtTheWireIntegrationTests: with the server's loops, 2 to 4 times as many permits came too late to
     * be written. One thread is plenty for MailReach's tens of calls a second. It outlives stops and starts
     * of the context (the connector rebuilds its client on it) and goes with the context.
     */
    @Bean(destroyMethod = "dispose")
    LoopResources mailReachLoops() {
        return LoopResources.create("mailreach-client", 1, true);
    }

    @Bean
    WebClient mailReachWebClient(WebClient.Builder builder, ReactorClientHttpConnector mailReachConnector,
            MailReachProperties properties, Ticker ticker) {
        return builder.clone()
            // The gateway's own per-attempt timer (gateway.upstream.requests) measures these calls; a
            // second observation per attempt (http.client.requests) would only cost time on the event loop.
            .observationRegistry(ObservationRegistry.NOOP)
            .baseUrl(properties.baseUrl().toString())
            // Every request spends its permit at the write, where MailReach's budget is kept.
            .clientConnector(new PermitCheckingConnector(mailReachConnector, ticker))
            .codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(MAX_ANSWER_BYTES))
            .defaultHeader("X-Api-Key", properties.apiKeyPrefix() + properties.apiKey())
            .defaultHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE)
            .build();
    }

    @Bean
    CircuitBreaker mailReachCircuitBreaker(MailReachProperties properties, MeterRegistry registry, Clock clock) {
        MailReachProperties.CircuitBreaker cb = properties.circuitBreaker();
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
            .failureRateThreshold(cb.failureRateThreshold())
            .minimumNumberOfCalls(cb.minimumCalls())
            .slidingWindowSize(Math.max(cb.slidingWindowSize(), cb.minimumCalls()))
            .waitDurationInOpenState(cb.openDuration())
            .permittedNumberOfCallsInHalfOpenState(cb.halfOpenCalls())
            .clock(clock)
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
    KeyPause mailReachKeyPause(MailReachProperties properties, Ticker ticker) {
        return KeyPause.local(properties.responseTimeout(), ticker);
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
    PermitBucket mailReachPermits(MailReachProperties properties, Ticker ticker) {
        return PermitBucket.local(properties.rateLimit().requestsPerSecond(), ticker);
    }

    @Bean(destroyMethod = "close")
    RateLimiter mailReachRateLimiter(PermitBucket permits, MailReachProperties properties, MeterRegistry registry,
            Ticker ticker) {
        return new RateLimiter(permits, properties.rateLimit().maxWait(), registry, ticker);
    }

}
