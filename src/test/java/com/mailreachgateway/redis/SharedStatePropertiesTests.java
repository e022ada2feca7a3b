package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class SharedStatePropertiesTests {

    @Test
    void bindingWithoutSettingsKeepsEverythingInThisProcessWithAThreeSecondLockLease() {
        SharedStateProperties properties = bind(Map.of());

        assertThat(properties.enabled()).isFalse();
        assertThat(properties.onFailure()).isEqualTo(SharedStateProperties.OnFailure.LOCAL_SHARE);
        assertThat(properties.probeInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.lockLease()).isEqualTo(Duration.ofSeconds(3));
        assertThat(properties.isLockLeaseLongEnough()).isTrue();
    }

    @Test
    void bindingReadsTheDocumentedKeys() {
        SharedStateProperties properties = bind(Map.of("gateway.redis.enabled", "true", "gateway.redis.on-failure",
                "refuse", "gateway.redis.expected-replicas", "4", "gateway.redis.lock-lease", "5s"));

        assertThat(properties.enabled()).isTrue();
        assertThat(properties.onFailure()).isEqualTo(SharedStateProperties.OnFailure.REFUSE);
        assertThat(properties.expectedReplicas()).isEqualTo(4);
        assertThat(properties.lockLease()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aLockLeaseTooShortToRenewIsRefused() {
        assertThat(bind(Map.of("gateway.redis.lock-lease", "100ms")).isLockLeaseLongEnough()).isFalse();
    }

    private static SharedStateProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("gateway.redis",
                SharedStateProperties.class);
    }

}
