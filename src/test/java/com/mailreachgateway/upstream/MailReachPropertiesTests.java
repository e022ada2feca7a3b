package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class MailReachPropertiesTests {

    @Test
    void bindingAppliesMailReachGuidanceAsDefaults() {
        MailReachProperties properties = bind(Map.of("gateway.mailreach.base-url", "https://api.mailreach.co/api",
                "gateway.mailreach.api-key", "k"));

        assertThat(properties.rateLimit().requestsPerSecond()).isEqualTo(20);
        assertThat(properties.rateLimit().maxWait()).isEqualTo(Duration.ofSeconds(2));
        assertThat(properties.retry().maxAttempts()).isEqualTo(5);
        assertThat(properties.retry().initialBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.retry().maxBackoff()).isEqualTo(Duration.ofSeconds(8));
        assertThat(properties.deadline()).isEqualTo(Duration.ofSeconds(30));
        assertThat(properties.circuitBreaker().openDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(properties.maxPause()).isEqualTo(Duration.ofMinutes(5));
        assertThat(properties.isMaxPausePositive()).isTrue();
        assertThat(properties.isBaseUrlAbsolute()).isTrue();
    }

    @Test
    void bindingReadsTheDocumentedKeys() {
        MailReachProperties properties = bind(Map.of("gateway.mailreach.base-url", "http://localhost:9/api",
                "gateway.mailreach.api-key", "k", "gateway.mailreach.rate-limit.requests-per-second", "7",
                "gateway.mailreach.retry.max-attempts", "2", "gateway.mailreach.circuit-breaker.minimum-calls", "3",
                "gateway.mailreach.response-timeout", "250ms", "gateway.mailreach.max-pause", "90s"));

        assertThat(properties.rateLimit().requestsPerSecond()).isEqualTo(7);
        assertThat(properties.retry().maxAttempts()).isEqualTo(2);
        assertThat(properties.circuitBreaker().minimumCalls()).isEqualTo(3);
        assertThat(properties.responseTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(properties.maxPause()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void zeroMaxPauseIsRefused() {
        assertThat(bind(Map.of("gateway.mailreach.base-url", "https://api.mailreach.co/api", "gateway.mailreach.api-key",
                "k", "gateway.mailreach.max-pause", "0s"))
            .isMaxPausePositive()).isFalse();
    }

    @Test
    void relativeBaseUrlIsNotAbsolute() {
        assertThat(bind(Map.of("gateway.mailreach.base-url", "/api", "gateway.mailreach.api-key", "k"))
            .isBaseUrlAbsolute()).isFalse();
    }

    private static MailReachProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bind("gateway.mailreach", MailReachProperties.class)
            .get();
    }

}
