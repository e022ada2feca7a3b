package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import com.mailreachgateway.system.RequestIds;
import com.mailreachgateway.system.Ticker;

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
 * {@link UpstreamExceptions}). The body is a byte array, so a retry resends it whole. What lets an
 * attempt start is the {@link Admission}; what the caller is answered, {@link CallErrors}. The deadline
 * is the caller's: a value made once where its request arrived ({@link RequestTimes#newDeadline()}) and
 * passed in with each call, never made here; how long one attempt may take and may still land is
 * {@link RequestTimes}' to say.
 */
@Component
public class MailReachClient {

    /** Resilience4j instance name: one per backend, so metrics filter on one label. */
    public static final String INSTANCE = "mailreach";

    private static final Logger logger = LoggerFactory.getLogger(MailReachClient.class);

    private final WebClient webClient;

    private final RateLimiter rateLimiter;

    private final KeyPause pause;

    private final CircuitBreaker circuitBreaker;

    private final Retry retry;

    private final Admission admission;

    private final RetryAfter retryAfter;

    private final Backoff backoff;

    private final CallErrors errors;

    private final UpstreamMeters meters;

    private final RequestTimes times;

    private final Ticker ticker;

    private final JsonMapper json;

    MailReachClient(MailReachProperties properties, WebClient mailReachWebClient, RateLimiter mailReachRateLimiter,
            KeyPause mailReachKeyPause, CircuitBreaker mailReachCircuitBreaker, Retry mailReachRetry,
            Admission admission, RetryAfter retryAfter, CallErrors errors, UpstreamMeters meters, RequestTimes times,
            Ticker ticker, JsonMapper json) {
        this.webClient = mailReachWebClient;
        this.rateLimiter = mailReachRateLimiter;
        this.pause = mailReachKeyPause;
        this.circuitBreaker = mailReachCircuitBreaker;
        this.retry = mailReachRetry;
        this.admission = admission;
        this.retryAfter = retryAfter;
        this.backoff = new Backoff(properties.retry(), () -> ThreadLocalRandom.current().nextDouble());
        this.errors = errors;
        this.meters = meters;
        this.times = times;
        this.ticker = ticker;
        this.json = json;
    }

    private Call newCall(HttpMethod method, int id, Deadline deadline, AttemptWatch watch) {
        return new Call(method, id, deadline, watch, this.times.attemptTime(), this.ticker);
    }

    /** {@code GET /v1/accounts/{id}}: the account as MailReach returns it. */
    public Mono<byte[]> fetchAccount(int id, Deadline deadline) {
        return Mono.defer(() -> call(newCall(HttpMethod.GET, id, deadline, AttemptWatch.NONE), null));
    }

    /**
     * {@code POST /v1/accounts/{id}} with a JSON body: the updated account, and whether an attempt may
     * still land. {@code watch} hears of every attempt before it is written and when it has ended.
     */
    public Mono<UpdateAnswer> updateAccount(int id, byte[] body, Deadline deadline, AttemptWatch watch) {
        return Mono.defer(() -> {
            Call call = newCall(HttpMethod.POST, id, deadline, watch);
            return call(call, body).map((json) -> new UpdateAnswer(json, call.settleUntil));
        });
    }

    private Mono<byte[]> call(Call call, byte[] body) {
        return Mono.deferContextual((context) -> {
            call.requestId = RequestIds.of(context);
            return this.admission.admit(call);
        }).flatMap((admitted) -> attempt(call, body, admitted))
            .transformDeferred(CircuitBreakerOperator.of(this.circuitBreaker))
            .transformDeferred(RetryOperator.of(this.retry))
            .onErrorMap((ex) -> this.errors.of(ex, call));
    }

    /**
     * One attempt, spending its permit where the request is written ({@link PermitCheckingConnector}).
     * A permit that expired before its request could be written leaves nothing behind: the attempt is
     * not counted, is neither sent nor in doubt, and the call takes a fresh permit within its deadline.
     */
    private Mono<byte[]> attempt(Call call, byte[] body, Admission.Admitted admitted) {
        // Whoever orders the account's updates hears of the attempt before it can be written.
        return call.watch.writing(this.times.attemptTime().plus(this.times.settleTime()))
            .onErrorResume((ex) -> this.admission.withdraw(admitted, ex))
            .then(Mono.defer(() -> exchange(call, body, admitted)));
    }

    private Mono<byte[]> exchange(Call call, byte[] body, Admission.Admitted admitted) {
        boolean probe = admitted.probe();
        int number = ++call.attempts;
        long start = this.ticker.read();
        AtomicBoolean written = new AtomicBoolean();
        WebClient.RequestBodySpec request = this.webClient.method(call.method).uri("/v1/accounts/{id}", call.accountId);
        WebClient.RequestHeadersSpec<?> spec = (body != null)
                ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body) : request;
        return spec.exchangeToMono((response) -> handle(response, number, call))
            // The attempt's own time limit, not the caller's deadline: it only started because it fits.
            .timeout(this.times.attemptTime())
            .contextWrite((context) -> context.put(PermitCheckingConnector.WRITTEN, written)
                .put(PermitCheckingConnector.PERMIT, admitted.permit()))
            .onErrorMap((ex) -> !(ex instanceof AttemptFailure) && !PermitCheckingConnector.expired(ex),
                    (ex) -> failure(ex, number, call, written.get()))
            .doOnSuccess((json) -> {
                call.watch.ended(call.settleUntil);
                this.meters.attempt(call.method, UpstreamMeters.SUCCESS, this.ticker.read() - start);
                if (probe) {
                    this.pause.probeEnded(true);
                }
            })
            .doOnError(AttemptFailure.class, (failure) -> {
                call.record(failure, this.times.settleTime());
                call.watch.ended(call.settleUntil);
                this.meters.attempt(call.method, failure.kind.tag, this.ticker.read() - start);
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
                return this.admission.again(call, admitted).flatMap((again) -> attempt(call, body, again));
            });
    }

    private Mono<byte[]> handle(ClientResponse response, int number, Call call) {
        int status = response.statusCode().value();
        if (response.statusCode().is2xxSuccessful()) {
            // From here on MailReach has answered: whatever fails now (the body), the attempt is answered.
            call.statusArrived(badResponse(status, number, "an answer whose body could not be read"));
            return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap((json) -> {
                String notTheAccount = AccountAnswer.whyNot(this.json, json, call.accountId);
                if (notTheAccount != null) {
                    return Mono.error(refusedAnswer(badResponse(status, number, notTheAccount), call));
                }
                return Mono.just(json);
            });
        }
        AttemptFailure.Kind kind = AnswerKinds.ofStatus(status);
        String header = (status == 429 || status == 503)
                ? response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER) : null;
        Duration retryAfter = this.retryAfter.pause(header, call.requestId);
        // The limit is the key's: a 429 (or a 503 that says how long) pauses every call on it.
        boolean pausesKey = status == 429 || retryAfter != null;
        Duration wait = (retryAfter != null) ? retryAfter : this.backoff.after(number);
        if (pausesKey) {
            this.pause.pause(wait);
        }
        call.statusArrived(new AttemptFailure(kind, status, number, wait, pausesKey, call.fits(wait),
                AnswerKinds.upstreamMessage(this.json, kind, "", status)));
        return response.bodyToMono(String.class)
            .defaultIfEmpty("")
            .flatMap((text) -> Mono.error(new AttemptFailure(kind, status, number, wait, pausesKey, call.fits(wait),
                    AnswerKinds.upstreamMessage(this.json, kind, text, status))));
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
            return refusedAnswer(badResponse(answered.status, number,
                    AnswerKinds.hasCause(ex, DataBufferLimitException.class)
                            ? "a body over the " + MailReachClientConfiguration.MAX_ANSWER_BYTES / (1024 * 1024)
                                    + " MiB the gateway reads"
                            : "a body that did not arrive whole"),
                    call);
        }
        AttemptFailure.Kind kind = AnswerKinds.withoutStatus(ex, written);
        if (kind == AttemptFailure.Kind.CONNECTION_LOST && !AnswerKinds.hasCause(ex, java.io.IOException.class)) {
            try (RequestIds.MdcScope scope = RequestIds.inMdc(call.requestId)) {
                logger.warn("Unexpected failure calling MailReach: {}", ex.toString());
            }
        }
        Duration wait = this.backoff.after(number);
        return new AttemptFailure(kind, 0, number, wait, false, call.fits(wait), null);
    }

}
