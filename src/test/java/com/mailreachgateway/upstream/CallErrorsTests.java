package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import com.mailreachgateway.support.MutableTicker;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class CallErrorsTests {

    private final MutableTicker ticker = new MutableTicker();

    private final MailReachProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
            "gateway.mailreach.base-url", "http://localhost:9/api", "gateway.mailreach.api-key", "k",
            "gateway.mailreach.circuit-breaker.open-duration", "10s")))
        .bind("gateway.mailreach", MailReachProperties.class)
        .get();

    private final CircuitBreaker breaker = CircuitBreaker.ofDefaults("test");

    private final CallErrors errors = new CallErrors(this.properties,
            KeyPause.local(this.properties.responseTimeout(), this.ticker), this.breaker, this.ticker);

    private Call call(HttpMethod method) {
        return new Call(method, 1, Deadline.after(this.properties.deadline(), this.ticker), AttemptWatch.NONE,
                this.properties.responseTimeout(), this.ticker);
    }

    @Test
    void openCircuitAnswersWithTheOpenTimeLeftOnTheTicker() {
        this.breaker.transitionToOpenState();
        this.ticker.advance(Duration.ofMillis(3500));

        Throwable error = this.errors.of(CallNotPermittedException.createCallNotPermittedException(this.breaker),
                call(HttpMethod.POST));

        assertThat(error).isInstanceOf(UpstreamExceptions.CircuitOpenException.class);
        assertThat(((UpstreamExceptions.CircuitOpenException) error).getHeaders().getFirst(HttpHeaders.RETRY_AFTER))
            .isEqualTo("7");
    }

    @Test
    void updateWithAnAttemptInDoubtIsInDoubtUntilItsSettleTimeOnTheTicker() {
        Call call = call(HttpMethod.POST);
        call.attempts = 1;
        long failedAt = this.ticker.read();
        call.record(new AttemptFailure(AttemptFailure.Kind.TIMEOUT, 0, 1, Duration.ZERO, false, false, null),
                Duration.ofSeconds(10));
        this.ticker.advance(Duration.ofSeconds(4));

        Throwable error = this.errors.of(new RuntimeException("later"), call);

        assertThat(error).isInstanceOfSatisfying(UpstreamExceptions.UpdateInDoubtException.class,
                (inDoubt) -> {
                    assertThat(inDoubt.settleUntilNanos()).isEqualTo(failedAt + Duration.ofSeconds(10).toNanos());
                    assertThat(inDoubt.getBody().getDetail()).contains("after 6 s");
                });
    }

}
