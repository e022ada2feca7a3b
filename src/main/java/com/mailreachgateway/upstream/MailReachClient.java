package com.mailreachgateway.upstream;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * Calls MailReach's account endpoints with the company key. Each attempt takes a rate-limit
 * permit and passes the circuit breaker; failed attempts are retried per MailReach's guidance
 * (5xx, connection errors and timeouts with exponential backoff and jitter, 429 after its
 * {@code Retry-After}, other 4xx never), and only while the next attempt still starts before
 * the call's deadline. The body is a byte array, so a retry resends it whole.
 */
@Component
@EnableConfigurationProperties(MailReachProperties.class)
public class MailReachClient implements DisposableBean {

    /** Resilience4j instance name: one per backend, so metrics filter on one label. */
    public static final String INSTANCE = "mailreach";

    private static final Logger logger = LoggerFactory.getLogger(MailReachClient.class);

    private final MailReachProperties properties;

    private final WebClient webClient;

    private final RateLimiter rateLimiter;

    private final CircuitBreaker circuitBreaker;

    private final Retry retry;

    private final MeterRegistry registry;

    private final JsonMapper jsonMapper = JsonMapper.builder().build();

    private final ConnectionProvider connections;

    /** When the circuit last opened, so that {@code Retry-After} says how long is left. */
    private volatile long openedAt = System.nanoTime();

    public MailReachClient(MailReachProperties properties, WebClient.Builder builder, MeterRegistry registry,
            ReactorResourceFactory resources) {
        this.properties = properties;
        this.registry = registry;
        this.connections = ConnectionProvider.builder(INSTANCE)
            .maxConnections(properties.pool().maxConnections())
            .pendingAcquireMaxCount(properties.pool().maxPending())
            .pendingAcquireTimeout(properties.deadline())
            .maxIdleTime(properties.pool().maxIdleTime())
            .build();
        HttpClient http = HttpClient.create(this.connections)
            .runOn(resources.getLoopResources())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
            .responseTimeout(properties.responseTimeout());
        this.webClient = builder.clone()
            .baseUrl(properties.baseUrl().toString())
            .clientConnector(new ReactorClientHttpConnector(http))
            .codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
            .defaultHeader("X-Api-Key", properties.apiKeyPrefix() + properties.apiKey())
            .defaultHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE)
            .build();
        this.rateLimiter = new RateLimiter(properties.rateLimit(), registry);
        MailReachProperties.CircuitBreaker cb = properties.circuitBreaker();
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
            .failureRateThreshold(cb.failureRateThreshold())
            .minimumNumberOfCalls(cb.minimumCalls())
            .slidingWindowSize(Math.max(cb.slidingWindowSize(), cb.minimumCalls()))
            .waitDurationInOpenState(cb.openDuration())
            .permittedNumberOfCallsInHalfOpenState(cb.halfOpenCalls())
            .recordException((ex) -> ex instanceof AttemptFailure failure && failure.kind.unhealthy)
            .ignoreExceptions(UpstreamExceptions.RateLimitedException.class)
            .build());
        this.circuitBreaker = breakers.circuitBreaker(INSTANCE);
        this.circuitBreaker.getEventPublisher().onStateTransition((event) -> {
            logger.warn("MailReach circuit breaker {}", event.getStateTransition());
            if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                this.openedAt = System.nanoTime();
            }
        });
        RetryRegistry retries = RetryRegistry.of(RetryConfig.<Object>custom()
            .maxAttempts(properties.retry().maxAttempts())
            .retryOnException((ex) -> ex instanceof AttemptFailure failure && failure.shouldRetry())
            .intervalBiFunction((attempt, outcome) -> (outcome.isLeft()
                    && outcome.getLeft() instanceof AttemptFailure failure) ? failure.nextWait.toMillis() : 0L)
            .failAfterMaxAttempts(false)
            .build());
        this.retry = retries.retry(INSTANCE);
        this.retry.getEventPublisher().onRetry((event) -> {
            if (event.getLastThrowable() instanceof AttemptFailure failure) {
                retryCounter(failure.kind.tag).increment();
            }
        });
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(registry);
    }

    /** The configured time allowed for one caller's request. */
    public Duration deadline() {
        return this.properties.deadline();
    }

    /** A deadline of {@code gateway.mailreach.deadline} from now, for one caller's request. */
    public Deadline newDeadline() {
        return Deadline.after(this.properties.deadline());
    }

    /** {@code GET /v1/accounts/{id}}: the account as MailReach returns it. */
    public Mono<byte[]> fetchAccount(int id, Deadline deadline) {
        return call(HttpMethod.GET, id, null, deadline);
    }

    /** {@code POST /v1/accounts/{id}} with a JSON body: the updated account. */
    public Mono<byte[]> updateAccount(int id, byte[] body, Deadline deadline) {
        return call(HttpMethod.POST, id, body, deadline);
    }

    /** The circuit breaker's state, for health and tests. */
    public CircuitBreaker.State circuitState() {
        return this.circuitBreaker.getState();
    }

    private Mono<byte[]> call(HttpMethod method, int id, byte[] body, Deadline deadline) {
        return Mono.defer(() -> {
            Duration left = deadline.remaining();
            if (left.isZero()) {
                // Spent waiting for its turn: nothing is sent, so the caller knows it was not applied.
                return Mono.error(new UpstreamExceptions.UpstreamTimeoutException(this.properties.deadline()));
            }
            Call call = new Call(deadline);
            return this.rateLimiter.acquire()
                .then(Mono.defer(() -> attempt(method, id, body, call)))
                .transformDeferred(CircuitBreakerOperator.of(this.circuitBreaker))
                .transformDeferred(RetryOperator.of(this.retry))
                .timeout(left)
                .onErrorMap((ex) -> toGatewayError(ex, call));
        });
    }

    private Mono<byte[]> attempt(HttpMethod method, int id, byte[] body, Call call) {
        int number = call.attempts.incrementAndGet();
        long start = System.nanoTime();
        WebClient.RequestBodySpec request = this.webClient.method(method).uri("/v1/accounts/{id}", id);
        WebClient.RequestHeadersSpec<?> spec = (body != null)
                ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body) : request;
        return spec.exchangeToMono((response) -> handle(response, number, call))
            .timeout(this.properties.responseTimeout())
            .onErrorMap((ex) -> !(ex instanceof AttemptFailure), (ex) -> failure(ex, number, call))
            .doOnSuccess((json) -> record(method, "success", start))
            .doOnError(AttemptFailure.class, (failure) -> {
                call.last.set(failure);
                record(method, failure.kind.tag, start);
            });
    }

    private Mono<byte[]> handle(ClientResponse response, int number, Call call) {
        int status = response.statusCode().value();
        if (response.statusCode().is2xxSuccessful()) {
            return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap((json) -> {
                if (!isJsonObject(json)) {
                    return Mono.error(new AttemptFailure(AttemptFailure.Kind.BAD_RESPONSE, status, number,
                            Duration.ZERO, false, null, null));
                }
                return Mono.just(json);
            });
        }
        Duration retryAfter = (status == 429)
                ? parseRetryAfter(response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER)) : null;
        return response.bodyToMono(String.class).defaultIfEmpty("").flatMap((text) -> {
            AttemptFailure.Kind kind = classify(status);
            Duration wait = (retryAfter != null) ? retryAfter : backoff(number);
            return Mono.error(new AttemptFailure(kind, status, number, wait, call.fits(wait), message(text, status),
                    retryAfter));
        });
    }

    private static AttemptFailure.Kind classify(int status) {
        if (status == 429) {
            return AttemptFailure.Kind.THROTTLED;
        }
        if (status == 401 || status == 403) {
            return AttemptFailure.Kind.AUTH_ERROR;
        }
        if (status >= 500) {
            return AttemptFailure.Kind.SERVER_ERROR;
        }
        if (status >= 400) {
            return AttemptFailure.Kind.CLIENT_ERROR;
        }
        // 1xx/3xx: not an answer the API documents (e.g. a redirect to https): the gateway's
        // base URL is wrong, which is not the caller's to handle.
        return AttemptFailure.Kind.BAD_RESPONSE;
    }

    private AttemptFailure failure(Throwable ex, int number, Call call) {
        AttemptFailure.Kind kind;
        if (hasCause(ex, TimeoutException.class) || hasCause(ex, io.netty.handler.timeout.ReadTimeoutException.class)) {
            kind = AttemptFailure.Kind.TIMEOUT;
        }
        else if (ex instanceof WebClientRequestException || hasCause(ex, java.io.IOException.class)) {
            kind = AttemptFailure.Kind.IO_ERROR;
        }
        else {
            kind = AttemptFailure.Kind.BAD_RESPONSE;
        }
        if (kind == AttemptFailure.Kind.BAD_RESPONSE) {
            logger.warn("Unexpected failure calling MailReach: {}", ex.toString());
        }
        Duration wait = backoff(number);
        return new AttemptFailure(kind, 0, number, wait, call.fits(wait), null, null);
    }

    /** Exponential backoff for the wait after attempt {@code number}: 1, 2, 4, 8 s by default. */
    Duration backoff(int number) {
        MailReachProperties.Retry config = this.properties.retry();
        long base = config.initialBackoff().toMillis() << Math.min(number - 1, 20);
        double jitter = config.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        long wait = Math.round(base * (1 + jitter));
        return Duration.ofMillis(Math.max(0, Math.min(wait, config.maxBackoff().toMillis())));
    }

    private Throwable toGatewayError(Throwable ex, Call call) {
        if (ex instanceof AttemptFailure failure) {
            return switch (failure.kind) {
                case CLIENT_ERROR -> new UpstreamExceptions.UpstreamClientException(failure.status,
                        failure.upstreamMessage);
                case AUTH_ERROR -> {
                    logger.error("MailReach refused the gateway's key (HTTP {}): check gateway.mailreach.api-key",
                            failure.status);
                    yield new UpstreamExceptions.UpstreamAuthException(failure.status);
                }
                case THROTTLED -> new UpstreamExceptions.UpstreamThrottledException(
                        (failure.retryAfter != null) ? failure.retryAfter : failure.nextWait);
                case TIMEOUT -> new UpstreamExceptions.UpstreamTimeoutException(this.properties.deadline());
                case SERVER_ERROR, BAD_RESPONSE -> new UpstreamExceptions.UpstreamUnavailableException(
                        (failure.status > 0) ? "HTTP " + failure.status : "invalid response", failure.attempt);
                case IO_ERROR -> new UpstreamExceptions.UpstreamUnavailableException("connection failed",
                        failure.attempt);
            };
        }
        if ((ex instanceof UpstreamExceptions.RateLimitedException || ex instanceof CallNotPermittedException)
                && call.last.get() != null) {
            // A retry found no permit or an open circuit: an earlier attempt did reach MailReach,
            // so "nothing was sent" would be untrue. Answer with what that attempt met.
            return toGatewayError(call.last.get(), call);
        }
        if (ex instanceof CallNotPermittedException) {
            Duration open = this.properties.circuitBreaker().openDuration();
            Duration left = open.minusNanos(System.nanoTime() - this.openedAt);
            // Half-open with its trial calls taken: a second is a fair guess.
            return new UpstreamExceptions.CircuitOpenException(left.isNegative() ? Duration.ofSeconds(1) : left);
        }
        if (ex instanceof TimeoutException) {
            AttemptFailure last = call.last.get();
            if (last != null && (last.kind == AttemptFailure.Kind.SERVER_ERROR
                    || last.kind == AttemptFailure.Kind.IO_ERROR)) {
                return new UpstreamExceptions.UpstreamUnavailableException(
                        (last.status > 0) ? "HTTP " + last.status : "connection failed", last.attempt);
            }
            return new UpstreamExceptions.UpstreamTimeoutException(this.properties.deadline());
        }
        return ex;
    }

    private boolean isJsonObject(byte[] json) {
        try {
            JsonNode node = this.jsonMapper.readTree(json);
            return node != null && node.isObject();
        }
        catch (RuntimeException ex) {
            return false;
        }
    }

    /** MailReach's error text for the caller: its {@code message} or {@code error}, else the body. */
    private String message(String body, int status) {
        String text = body.strip();
        try {
            JsonNode node = this.jsonMapper.readTree(text);
            for (String field : new String[] { "message", "error", "detail" }) {
                if (node != null && node.hasNonNull(field) && node.get(field).isString()) {
                    text = node.get(field).asString();
                    break;
                }
            }
        }
        catch (RuntimeException ex) {
            // not JSON: pass the text on
        }
        if (text.isEmpty()) {
            text = "MailReach answered HTTP " + status + ".";
        }
        return (text.length() > 500) ? text.substring(0, 500) : text;
    }

    /** {@code Retry-After} as delta-seconds or an HTTP-date; {@code null} when absent or unreadable. */
    static Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.strip();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(text)));
        }
        catch (NumberFormatException ex) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            }
            catch (RuntimeException unreadable) {
                return null;
            }
        }
    }

    private void record(HttpMethod method, String outcome, long start) {
        Timer.builder("gateway.upstream.requests")
            .description("Attempts at MailReach, by method and outcome")
            .tag("method", method.name())
            .tag("outcome", outcome)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(5))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(this.registry)
            .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    private Counter retryCounter(String reason) {
        return Counter.builder("gateway.upstream.retries")
            .description("Retries of MailReach calls, by reason")
            .tag("reason", reason)
            .register(this.registry);
    }

    private static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void destroy() {
        this.rateLimiter.close();
        this.connections.dispose();
    }

    /** One logical call: its deadline, its attempts so far and its last failure. */
    private static final class Call {

        final Deadline deadline;

        final AtomicInteger attempts = new AtomicInteger();

        final AtomicReference<AttemptFailure> last = new AtomicReference<>();

        Call(Deadline deadline) {
            this.deadline = deadline;
        }

        boolean fits(Duration wait) {
            return this.deadline.fits(wait);
        }

    }

}
