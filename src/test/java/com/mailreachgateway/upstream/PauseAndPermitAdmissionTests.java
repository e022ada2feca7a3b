package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import com.mailreachgateway.system.Ticker;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admission step on virtual time: the key's pause and the deadline decide at once whether an
 * attempt may wait, and a wait that fits lasts exactly the pause. The ticker is Reactor's virtual
 * clock, so the pause's time and the wait's timer move together.
 */
class PauseAndPermitAdmissionTests {

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

    private final Ticker ticker = () -> this.time.now(TimeUnit.NANOSECONDS);

    /** The test profile's shape: a 3 s deadline, 1 s per attempt. */
    private final MailReachProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
            "gateway.mailreach.base-url", "http://localhost:9/api", "gateway.mailreach.api-key", "k",
            "gateway.mailreach.deadline", "3s", "gateway.mailreach.response-timeout", "1s")))
        .bind("gateway.mailreach", MailReachProperties.class)
        .get();

    private final KeyPause pause = KeyPause.local(this.properties.responseTimeout(), this.ticker);

    private final RateLimiter limiter = new RateLimiter(PermitBucket.local(10, this.ticker), Duration.ofSeconds(2),
            new SimpleMeterRegistry(), this.ticker);

    private final Admission admission = new PauseAndPermitAdmission(this.pause, this.limiter,
            new RequestTimes(this.properties, this.ticker));

    @AfterEach
    void close() {
        this.limiter.close();
        VirtualTimeScheduler.reset();
    }

    private Call newCall() {
        return new Call(HttpMethod.POST, 1, Deadline.after(this.properties.deadline(), this.ticker),
                AttemptWatch.NONE, this.properties.responseTimeout(), this.ticker);
    }

    @Test
    void keyNotPausedIsAdmittedAtOnceNotAsTheProbe() {
        Call call = newCall();

        StepVerifier.withVirtualTime(() -> this.admission.admit(call), () -> this.time, Long.MAX_VALUE)
            .assertNext((admitted) -> assertThat(admitted.probe()).isFalse())
            .verifyComplete();
        assertThat(this.time.now(TimeUnit.MILLISECONDS)).isZero();
    }

    @Test
    void pauseThatOutlastsTheDeadlineIsRefusedAtOnceWithTheWaitLeft() {
        this.pause.pause(Duration.ofSeconds(120));
        Call call = newCall();

        // No virtual time passes: the refusal comes without waiting.
        StepVerifier.withVirtualTime(() -> this.admission.admit(call), () -> this.time, Long.MAX_VALUE)
            .expectErrorSatisfies((ex) -> assertThat(ex)
                .isInstanceOfSatisfying(UpstreamExceptions.UpstreamThrottledException.class,
                        (throttled) -> assertThat(throttled.getHeaders().getFirst(HttpHeaders.RETRY_AFTER))
                            .isEqualTo("120")))
            .verify(Duration.ofSeconds(5));
        assertThat(this.time.now(TimeUnit.MILLISECONDS)).isZero();
    }

    @Test
    void pauseThatLeavesTimeForAnAttemptIsWaitedOutExactlyThenTheCallIsTheProbe() {
        this.pause.pause(Duration.ofMillis(1500));
        Call call = newCall();

        StepVerifier.withVirtualTime(() -> this.admission.admit(call), () -> this.time, Long.MAX_VALUE)
            .expectSubscription()
            .expectNoEvent(Duration.ofMillis(1499))
            .thenAwait(Duration.ofMillis(1))
            .assertNext((admitted) -> assertThat(admitted.probe()).isTrue())
            .expectComplete()
            .verify(Duration.ofSeconds(5));
    }

    @Test
    void pauseThatEndsJustTooLateForAnAttemptIsRefusedAtOnce() {
        // 2001 ms of pause and 1 s of attempt do not fit 3 s.
        this.pause.pause(Duration.ofMillis(2001));
        Call call = newCall();

        StepVerifier.withVirtualTime(() -> this.admission.admit(call), () -> this.time, Long.MAX_VALUE)
            .expectError(UpstreamExceptions.UpstreamThrottledException.class)
            .verify(Duration.ofSeconds(5));
        assertThat(this.time.now(TimeUnit.MILLISECONDS)).isZero();
    }

}
