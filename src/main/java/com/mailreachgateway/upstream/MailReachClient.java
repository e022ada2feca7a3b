package com.mailreachgateway.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import com.mailreachgateway.system.GatewayException;
import com.mailreachgateway.system.RequestIds;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Calls MailReach's account endpoints with the company key. Every attempt first waits out the
 * key's pause, then takes a rate-limit permit and passes the circuit breaker; failed attempts are
 * retried per MailReach's guidance (5xx, connection errors and timeouts with exponential backoff
 * and jitter, 429 after its {@code Retry-After}, other 4xx never).
 * <p>
 * No attempt is ever cut short for the caller's deadline: an attempt (or a wait before one) starts
 * only if it can end, {@code response-timeout} included, before the deadline. So the answer comes
 * in time, and a request MailReach may be applying is never abandoned half-way. Each attempt ends
 * as not sent, answered, or in doubt, and the caller's answer follows from them (see
 * {@link UpstreamExceptions}). The body is a byte array, so a retry resends it whole.
 */
@Component
public class MailReachClient {

    /** Resilience4j instance name: one per backend, so metrics filter on one label. */
    public static final String INSTANCE = "mailreach";

    private static final Logger logger = LoggerFactory.getLogger(MailReachClient.class);

    /** Why a 1xx or 3xx (e.g. a redirect to https: a wrong base URL) is not passed on. */
    private static final String NOT_AN_API_STATUS = "a status MailReach's API does not answer";

    private final MailReachProperties properties;

    private final WebClient webClient;

    private final RateLimiter rateLimiter;

    private final KeyPause pause;

    private final CircuitBreaker circuitBreaker;

    private final Retry retry;

    private final MeterRegistry registry;

    private final Clock clock;

    private final JsonMapper jsonMapper = JsonMapper.builder().build();

    private final ConcurrentMap<String, Timer> attemptTimers = new ConcurrentHashMap<>();

    private final ConcurrentMap<String, Counter> retryCounters = new ConcurrentHashMap<>();

    /** Registered at start, so that the alert on it sees a zero before the first capped header. */
    private final Counter cappedRetryAfters;

    /** When the circuit last opened, so that {@code Retry-After} says how long is left. */
    private volatile long openedAt = System.nanoTime();

    MailReachClient(MailReachProperties properties, WebClient mailReachWebClient, RateLimiter mailReachRateLimiter,
            KeyPause mailReachKeyPause, CircuitBreaker mailReachCircuitBreaker, Retry mailReachRetry,
            MeterRegistry registry, ObjectProvider<Clock> clock) {
        this.properties = properties;
        this.webClient = mailReachWebClient;
        this.rateLimiter = mailReachRateLimiter;
        this.pause = mailReachKeyPause;
        this.circuitBreaker = mailReachCircuitBreaker;
        this.retry = mailReachRetry;
        this.registry = registry;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
        this.cappedRetryAfters = Counter.builder("gateway.upstream.retry_after.capped")
            .description("Retry-After headers from MailReach longer than gateway.mailreach.max-pause, cut to it")
            .register(registry);
        this.circuitBreaker.getEventPublisher().onStateTransition((event) -> {
            logger.warn("MailReach circuit breaker {}", event.getStateTransition());
            if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                this.openedAt = System.nanoTime();
            }
        });
        this.retry.getEventPublisher().onRetry((event) -> {
            if (event.getLastThrowable() instanceof AttemptFailure failure) {
                retryCounter(failure.kind.tag).increment();
            }
        });
    }

    private Duration attemptTime() {
        return this.properties.responseTimeout();
    }

    private Duration settleTime() {
        return this.properties.settleTime();
    }

    /** {@code GET /v1/accounts/{id}}: the account as MailReach returns it. */
    public Mono<byte[]> fetchAccount(int id, Deadline deadline) {
        return Mono.defer(() -> call(new Call(HttpMethod.GET, id, deadline, AttemptWatch.NONE), null));
    }

    /**
     * {@code POST /v1/accounts/{id}} with a JSON body: the updated account, and whether an attempt may
     * still land. {@code watch} hears of every attempt before it is written and when it has ended.
     */
    public Mono<UpdateAnswer> updateAccount(int id, byte[] body, Deadline deadline, AttemptWatch watch) {
        return Mono.defer(() -> {
            Call call = new Call(HttpMethod.POST, id, deadline, watch);
            return call(call, body).map((json) -> new UpdateAnswer(json, call.settleUntil));
        });
    }

    /** The circuit breaker's state, for health and tests. */
    public CircuitBreaker.State circuitState() {
        return this.circuitBreaker.getState();
    }

    private Mono<byte[]> call(Call call, byte[] body) {
        return Mono.deferContextual((context) -> {
            call.requestId = RequestIds.of(context);
            return admit(call);
        }).flatMap((admitted) -> attempt(call, body, admitted))
            .transformDeferred(CircuitBreakerOperator.of(this.circuitBreaker))
            .transformDeferred(RetryOperator.of(this.retry))
            .onErrorMap((ex) -> toGatewayError(ex, call));
    }

    /**
     * Waits out the key's pause, then takes a permit; emits the permit and whether this attempt is
     * the probe after a pause. Each wait is bounded so that the attempt still fits the deadline after it.
     */
    private Mono<Admitted> admit(Call call) {
        return this.pause.admission().flatMap((admission) -> {
            if (admission.decision() == KeyPause.Admission.Decision.WAIT) {
                if (!call.fits(admission.delay())) {
                    Duration left = this.pause.remaining();
                    return Mono.error(new UpstreamExceptions.UpstreamThrottledException(
                            left.isZero() ? admission.delay() : left));
                }
                return Mono.delay(admission.delay()).then(admit(call));
            }
            return permit(call, admission.decision() == KeyPause.Admission.Decision.PROBE);
        });
    }

    /** Takes a permit for an attempt the key's pause let through (as its probe, or not). */
    private Mono<Admitted> permit(Call call, boolean probe) {
        Duration limit = call.deadline.remaining().minus(attemptTime());
        boolean deadlineBound = limit.compareTo(this.rateLimiter.maxWait()) < 0;
        if (!deadlineBound) {
            limit = this.rateLimiter.maxWait();
        }
        if (limit.isNegative()) {
            return refused(probe, new UpstreamExceptions.NotSentException(
                    "The deadline left no time for an attempt at MailReach", Duration.ofSeconds(1)));
        }
        boolean byDeadline = deadlineBound;
        return this.rateLimiter.acquire(limit)
            .flatMap((permit) -> probe ? Mono.just(new Admitted(true, permit)) : afterPermit(call, permit))
            .onErrorResume(RateLimiter.NoPermitException.class, (none) -> refused(probe, byDeadline
                    ? new UpstreamExceptions.NotSentException("No MailReach permit came before the deadline",
                            none.nextPermit)
                    : new UpstreamExceptions.RateLimitedException(none.nextPermit)));
    }

    /**
     * The key may have been paused while this call waited for its permit (by this replica or, with
     * shared state, by another): it then waits out the pause like any other call, and the permit is
     * spent (never given back, which only errs on the safe side). A pause that ended meanwhile may
     * make this call the probe.
     */
    private Mono<Admitted> afterPermit(Call call, Permit permit) {
        return this.pause.admission().flatMap((admission) -> switch (admission.decision()) {
            case GO -> Mono.just(new Admitted(false, permit));
            case PROBE -> Mono.just(new Admitted(true, permit));
            case WAIT -> admit(call);
        });
    }

    /** An attempt let through: the permit it spends, and whether it is the probe after a pause. */
    private record Admitted(boolean probe, Permit permit) {
    }

    private <T> Mono<T> refused(boolean probe, Throwable refusal) {
        if (probe) {
            this.pause.probeEnded(false);
        }
        return Mono.error(refusal);
    }

    /**
     * One attempt, spending its permit where the request is written ({@link PermitCheckingConnector}).
     * A permit that expired before its request could be written leaves nothing behind: the attempt is
     * not counted, is neither sent nor in doubt, and the call takes a fresh permit within its deadline.
     */
    private Mono<byte[]> attempt(Call call, byte[] body, Admitted admitted) {
        // Whoever orders the account's updates hears of the attempt before it can be written.
        return call.watch.writing(attemptTime().plus(settleTime()))
            .onErrorResume((ex) -> refused(admitted.probe(), ex))
            .then(Mono.defer(() -> exchange(call, body, admitted)));
    }

    private Mono<byte[]> exchange(Call call, byte[] body, Admitted admitted) {
        boolean probe = admitted.probe();
        int number = ++call.attempts;
        long start = System.nanoTime();
        AtomicBoolean written = new AtomicBoolean();
        WebClient.RequestBodySpec request = this.webClient.method(call.method).uri("/v1/accounts/{id}", call.accountId);
        WebClient.RequestHeadersSpec<?> spec = (body != null)
                ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body) : request;
        return spec.exchangeToMono((response) -> handle(response, number, call))
            // The attempt's own time limit, not the caller's deadline: it only started because it fits.
            .timeout(attemptTime())
            .contextWrite((context) -> context.put(PermitCheckingConnector.WRITTEN, written)
                .put(PermitCheckingConnector.PERMIT, admitted.permit()))
            .onErrorMap((ex) -> !(ex instanceof AttemptFailure) && !PermitCheckingConnector.expired(ex),
                    (ex) -> failure(ex, number, call, written.get()))
            .doOnSuccess((json) -> {
                call.watch.ended(call.settleUntil);
                record(call.method, "success", start);
                if (probe) {
                    this.pause.probeEnded(true);
                }
            })
            .doOnError(AttemptFailure.class, (failure) -> {
                call.record(failure, this.properties.settleTime());
                call.watch.ended(call.settleUntil);
                record(call.method, failure.kind.tag, start);
                if (probe) {
                    this.pause.probeEnded(failure.kind.delivery == AttemptFailure.Delivery.ANSWERED
                            && !failure.pausesKey);
                }
            })
            .doOnCancel(() -> {
                if (probe) {
                    this.pause.probeEnded(false);
                }
            })
            .onErrorResume(PermitCheckingConnector::expired, (expired) -> {
                // Nothing of this attempt was written: what may still land is what earlier attempts left.
                call.watch.ended(call.settleUntil);
                call.attempts--;
                this.rateLimiter.expired();
                // A probe stays the probe: the pause let it through and waits for its answer.
                return (probe ? permit(call, true) : admit(call)).flatMap((again) -> attempt(call, body, again));
            });
    }

    private Mono<byte[]> handle(ClientResponse response, int number, Call call) {
        int status = response.statusCode().value();
        if (response.statusCode().is2xxSuccessful()) {
            // From here on MailReach has answered: whatever fails now (the body), the attempt is answered.
            call.statusArrived(badResponse(status, number, "an answer whose body could not be read"));
            return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap((json) -> {
                String notTheAccount = AccountAnswer.whyNot(json, call.accountId);
                if (notTheAccount != null) {
                    return Mono.error(refusedAnswer(badResponse(status, number, notTheAccount), call));
                }
                return Mono.just(json);
            });
        }
        AttemptFailure.Kind kind = classify(status);
        String header = (status == 429 || status == 503)
                ? response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER) : null;
        Duration retryAfter = capped(parseRetryAfter(header, this.clock), header, call);
        // The limit is the key's: a 429 (or a 503 that says how long) pauses every call on it.
        boolean pausesKey = status == 429 || retryAfter != null;
        Duration wait = (retryAfter != null) ? retryAfter : backoff(number);
        if (pausesKey) {
            this.pause.pause(wait);
        }
        call.statusArrived(new AttemptFailure(kind, status, number, wait, pausesKey, call.fits(wait),
                (kind == AttemptFailure.Kind.BAD_RESPONSE) ? NOT_AN_API_STATUS : message("", status)));
        return response.bodyToMono(String.class)
            .defaultIfEmpty("")
            .flatMap((text) -> Mono.error(new AttemptFailure(kind, status, number, wait, pausesKey, call.fits(wait),
                    (kind == AttemptFailure.Kind.BAD_RESPONSE) ? NOT_AN_API_STATUS : message(text, status))));
    }

    /** A 2xx, or a status MailReach's API does not answer, that the gateway cannot pass on as an account. */
    private static AttemptFailure badResponse(int status, int number, String why) {
        return new AttemptFailure(AttemptFailure.Kind.BAD_RESPONSE, status, number, Duration.ZERO, false, false, why);
    }

    /** One WARN line: MailReach answered, and the answer is not one the gateway can use. */
    private AttemptFailure refusedAnswer(AttemptFailure failure, Call call) {
        try (RequestIds.MdcScope scope = RequestIds.inMdc(call.requestId)) {
            logger.warn("MailReach answered {} {} with HTTP {} and {}; not passed on, not cached", call.method,
                    call.accountId, failure.status, failure.upstreamMessage);
        }
        return failure;
    }

    /**
     * The pause a {@code Retry-After} may put on the key: at most {@code max-pause}. The limit is
     * the company's, so one absurd header (a day, a date years ahead) would otherwise stop every
     * update for as long; a longer one is cut, counted, and logged on one line.
     */
    private Duration capped(Duration asked, String header, Call call) {
        if (asked == null) {
            return null;
        }
        Duration applied = capped(asked, this.properties.maxPause());
        if (applied.compareTo(asked) < 0) {
            this.cappedRetryAfters.increment();
            try (RequestIds.MdcScope scope = RequestIds.inMdc(call.requestId)) {
                logger.warn("MailReach asked to pause the company key for {} s (Retry-After: {}); the gateway pauses "
                        + "it for {} (gateway.mailreach.max-pause)", asked.getSeconds(), abbreviated(header),
                        readable(applied));
            }
        }
        return applied;
    }

    /** {@code asked}, or {@code max} when it is longer. */
    static Duration capped(Duration asked, Duration max) {
        return (asked.compareTo(max) > 0) ? max : asked;
    }

    private static String abbreviated(String header) {
        return (header.length() > 64) ? header.substring(0, 64) + "..." : header;
    }

    private static String readable(Duration duration) {
        return (duration.toMillis() % 1000 == 0) ? duration.getSeconds() + " s" : duration.toMillis() + " ms";
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

    /**
     * An attempt that ended in an error outside {@link #handle}. If its status had arrived, MailReach
     * answered it (for an update: applied or refused, not in doubt), whatever went wrong with the body
     * after (over the in-memory limit, cut short, too slow): it ends as that status says. Otherwise it
     * ended without a status, and whether its request was written decides what it left behind.
     */
    private AttemptFailure failure(Throwable ex, int number, Call call, boolean written) {
        AttemptFailure answered = call.statusOf(number);
        if (answered != null) {
            if (answered.status < 200 || answered.status > 299) {
                return answered;
            }
            return refusedAnswer(badResponse(answered.status, number, hasCause(ex, DataBufferLimitException.class)
                    ? "a body over the " + MailReachClientConfiguration.MAX_ANSWER_BYTES / (1024 * 1024)
                            + " MiB the gateway reads"
                    : "a body that did not arrive whole"), call);
        }
        AttemptFailure.Kind kind;
        if (!written) {
            kind = AttemptFailure.Kind.NOT_SENT;
        }
        else if (hasCause(ex, TimeoutException.class)
                || hasCause(ex, io.netty.handler.timeout.ReadTimeoutException.class)) {
            kind = AttemptFailure.Kind.TIMEOUT;
        }
        else {
            kind = AttemptFailure.Kind.CONNECTION_LOST;
            if (!hasCause(ex, java.io.IOException.class)) {
                try (RequestIds.MdcScope scope = RequestIds.inMdc(call.requestId)) {
                    logger.warn("Unexpected failure calling MailReach: {}", ex.toString());
                }
            }
        }
        Duration wait = backoff(number);
        return new AttemptFailure(kind, 0, number, wait, false, call.fits(wait), null);
    }

    /** Exponential backoff for the wait after attempt {@code number}: 1, 2, 4, 8 s by default. */
    Duration backoff(int number) {
        MailReachProperties.Retry config = this.properties.retry();
        long base = config.initialBackoff().toMillis() << Math.min(number - 1, 20);
        double jitter = config.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        long wait = Math.round(base * (1 + jitter));
        return Duration.ofMillis(Math.max(0, Math.min(wait, config.maxBackoff().toMillis())));
    }

    /**
     * The caller's answer, from everything the call's attempts left behind: an update with an attempt
     * in doubt is in doubt, whatever came after; otherwise the last answer MailReach gave; only a call
     * that never reached MailReach says so.
     */
    private Throwable toGatewayError(Throwable ex, Call call) {
        if (call.method == HttpMethod.POST && call.settleUntil != 0) {
            long left = Math.max(0, call.settleUntil - System.nanoTime());
            return new UpstreamExceptions.UpdateInDoubtException(call.attempts, Duration.ofNanos(left),
                    call.settleUntil);
        }
        if (ex instanceof AttemptFailure failure) {
            return (failure.kind.delivery == AttemptFailure.Delivery.ANSWERED || call.lastAnswered == null)
                    ? fromAttempt(failure, call) : fromAttempt(call.lastAnswered, call);
        }
        if (call.lastAnswered != null) {
            // A retry found no permit, an open circuit or a long pause: an earlier attempt reached
            // MailReach, so "nothing was sent" would be untrue. Answer with what that attempt met.
            return fromAttempt(call.lastAnswered, call);
        }
        if (call.lastFailure != null) {
            return fromAttempt(call.lastFailure, call);
        }
        if (ex instanceof CallNotPermittedException) {
            Duration open = this.properties.circuitBreaker().openDuration();
            Duration left = open.minusNanos(System.nanoTime() - this.openedAt);
            // Half-open with its trial calls taken: a second is a fair guess.
            return new UpstreamExceptions.CircuitOpenException(left.isNegative() ? Duration.ofSeconds(1) : left);
        }
        return ex;
    }

    private GatewayException fromAttempt(AttemptFailure failure, Call call) {
        return switch (failure.kind) {
            case CLIENT_ERROR -> new UpstreamExceptions.UpstreamClientException(failure.status,
                    failure.upstreamMessage);
            case AUTH_ERROR -> {
                try (RequestIds.MdcScope scope = RequestIds.inMdc(call.requestId)) {
                    logger.error("MailReach refused the gateway's key (HTTP {}): check gateway.mailreach.api-key",
                            failure.status);
                }
                yield new UpstreamExceptions.UpstreamAuthException(failure.status);
            }
            case THROTTLED -> {
                Duration left = this.pause.remaining();
                yield new UpstreamExceptions.UpstreamThrottledException(left.isZero() ? failure.nextWait : left);
            }
            case SERVER_ERROR -> new UpstreamExceptions.UpstreamUnavailableException("HTTP " + failure.status,
                    call.attempts);
            case BAD_RESPONSE -> new UpstreamExceptions.UpstreamUnavailableException(
                    "HTTP " + failure.status + ": " + failure.upstreamMessage, call.attempts);
            case TIMEOUT -> new UpstreamExceptions.UpstreamTimeoutException(this.properties.deadline());
            case CONNECTION_LOST -> new UpstreamExceptions.UpstreamUnavailableException("connection lost",
                    call.attempts);
            case NOT_SENT -> new UpstreamExceptions.NotSentException("MailReach could not be reached",
                    failure.nextWait);
        };
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

    /**
     * {@code Retry-After} as delta-seconds or an HTTP-date; {@code null} when absent or unreadable
     * (a sign, a fraction, another date format). Never throws: delta-seconds too large for a
     * {@code long} read as the longest {@link Duration}, and a date in the past as no wait. The
     * caller caps the result at {@code max-pause} before any arithmetic with it.
     */
    static Duration parseRetryAfter(String value, Clock clock) {
        if (value == null) {
            return null;
        }
        String text = value.strip();
        if (text.isEmpty()) {
            return null;
        }
        if (text.chars().allMatch((c) -> c >= '0' && c <= '9')) {
            try {
                return Duration.ofSeconds(Long.parseLong(text));
            }
            catch (NumberFormatException tooLarge) {
                return Duration.ofSeconds(Long.MAX_VALUE);
            }
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration wait = Duration.between(clock.instant(), at.toInstant());
            return wait.isNegative() ? Duration.ZERO : wait;
        }
        catch (RuntimeException unreadable) {
            return null;
        }
    }

    private void record(HttpMethod method, String outcome, long start) {
        this.attemptTimers.computeIfAbsent(method.name() + ' ' + outcome, (key) -> Timer
            .builder("gateway.upstream.requests")
            .description("Attempts at MailReach, by method and outcome")
            .tag("method", method.name())
            .tag("outcome", outcome)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(5))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(this.registry)).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    private Counter retryCounter(String reason) {
        return this.retryCounters.computeIfAbsent(reason, (key) -> Counter.builder("gateway.upstream.retries")
            .description("Retries of MailReach calls, by reason")
            .tag("reason", reason)
            .register(this.registry));
    }

    private static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One logical call: its deadline and what its attempts left behind. Attempts run one after
     * another, each after the previous has ended, so plain fields are enough (Reactor's operators
     * publish them safely from one attempt to the next).
     */
    private final class Call {

        final HttpMethod method;

        /** The account the call is about: a 2xx body must be this account. */
        final int accountId;

        final Deadline deadline;

        final AttemptWatch watch;

        int attempts;

        /**
         * How the last attempt whose status arrived ends if its body then fails. Volatile: the
         * attempt's timeout may fire on another thread just as the status comes in.
         */
        volatile AttemptFailure answeredAs;

        /** The caller's request id, for the log lines of this call ({@code null} for a shared read). */
        String requestId;

        /** The last attempt MailReach answered, if any. */
        AttemptFailure lastAnswered;

        /** The last failed attempt. */
        AttemptFailure lastFailure;

        /** Until when an unanswered attempt may still land ({@link System#nanoTime()}); 0 if none. */
        long settleUntil;

        Call(HttpMethod method, int accountId, Deadline deadline, AttemptWatch watch) {
            this.method = method;
            this.accountId = accountId;
            this.deadline = deadline;
            this.watch = watch;
        }

        /** An attempt got its status: MailReach answered it, and it ends as {@code failure} if it fails after. */
        void statusArrived(AttemptFailure failure) {
            this.answeredAs = failure;
        }

        /** How attempt {@code number} ends if its status arrived before it failed; {@code null} if it did not. */
        AttemptFailure statusOf(int number) {
            AttemptFailure answered = this.answeredAs;
            return (answered != null && answered.attempt == number) ? answered : null;
        }

        /** Whether an attempt that starts after {@code wait} still ends before the deadline. */
        boolean fits(Duration wait) {
            return this.deadline.fits(wait.plus(attemptTime()));
        }

        void record(AttemptFailure failure, Duration settleTime) {
            this.lastFailure = failure;
            if (failure.kind.delivery == AttemptFailure.Delivery.ANSWERED) {
                this.lastAnswered = failure;
            }
            else if (failure.kind.delivery == AttemptFailure.Delivery.IN_DOUBT) {
                this.settleUntil = System.nanoTime() + settleTime.toNanos();
            }
        }

    }

}
