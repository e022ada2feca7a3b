package com.mailreachgateway.upstream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Every series an alert or a dashboard reads is there, at zero, before the first call to MailReach. */
class UpstreamMetersTests {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    UpstreamMetersTests() {
        new UpstreamMeters(this.registry, CircuitBreaker.ofDefaults("test"), Retry.ofDefaults("test"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(textBlock = """
            GET,  success
            POST, success
            POST, client_error
            POST, auth_error
            POST, throttled
            POST, server_error
            POST, timeout
            POST, io_error
            POST, not_sent
            GET,  not_sent
            """)
    void attemptTimerIsRegisteredAtStartUp(String method, String outcome) {
        assertThat(this.registry.get("gateway.upstream.requests").tag("method", method).tag("outcome", outcome)
            .timer().count()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            server_error
            throttled
            timeout
            io_error
            not_sent
            """)
    void retryCounterIsRegisteredAtStartUp(String reason) {
        assertThat(this.registry.get("gateway.upstream.retries").tag("reason", reason).counter().count()).isZero();
    }

    @org.junit.jupiter.api.Test
    void cappedRetryAfterCounterIsRegisteredAtStartUp() {
        assertThat(this.registry.get("gateway.upstream.retry_after.capped").counter().count()).isZero();
    }

}
