package com.mailreachgateway.state;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The account store of one process; with {@code gateway.redis.enabled} the shared one replaces it. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CacheProperties.class)
class StateConfiguration {

    @Bean
    @ConditionalOnProperty(name = "gateway.redis.enabled", havingValue = "false", matchIfMissing = true)
    AccountStore caffeineAccountStore(CacheProperties properties, MeterRegistry registry, Clock clock) {
        return new CaffeineAccountStore(properties, registry, clock);
    }

    @Bean
    @ConditionalOnProperty(name = "gateway.redis.enabled", havingValue = "false", matchIfMissing = true)
    AccountLock noAccountLock() {
        return AccountLock.none();
    }

}
