package com.mailreachgateway.redis;

import java.time.Clock;
import java.time.Duration;

import com.mailreachgateway.state.AccountLock;
import com.mailreachgateway.state.AccountStore;
import com.mailreachgateway.state.CacheProperties;
import com.mailreachgateway.state.CaffeineAccountStore;
import com.mailreachgateway.system.Ticker;
import com.mailreachgateway.upstream.KeyPause;
import com.mailreachgateway.upstream.MailReachProperties;
import com.mailreachgateway.upstream.PermitBucket;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * With {@code gateway.redis.enabled}, the shared budget and pause replace the local ones. The
 * connection is Spring Boot's {@code spring.data.redis.*} (through its connection details and
 * Lettuce client resources); Boot's own Redis connection factory stays unused and unconnected.
 * Disabled, nothing here exists and nothing connects to Redis.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SharedStateProperties.class)
class SharedStateConfiguration {

    /** Used when {@code spring.data.redis.timeout} is not set: a dead Redis must fail fast. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

    /**
     * Boot's Redis auto-configuration is excluded in application.yaml, so that a gateway without Redis
     * does not load it; with Redis, its connection settings and Lettuce resources are imported here (a
     * plain import: {@code @ImportAutoConfiguration} would apply the same exclusion).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "gateway.redis.enabled", havingValue = "true")
    @Import(DataRedisAutoConfiguration.class)
    static class Enabled {

        @Bean(initMethod = "start", destroyMethod = "close")
        SharedRedis sharedRedis(ClientResources resources, DataRedisProperties redis,
                DataRedisConnectionDetails connection, SharedStateProperties properties, MeterRegistry registry,
                Ticker ticker) {
            return new SharedRedis(resources, uri(redis, connection), properties, registry, ticker);
        }

        @Bean
        PermitBucket mailReachPermits(SharedRedis redis, MailReachProperties mailReach,
                SharedStateProperties properties, MeterRegistry registry) {
            return new RedisPermitBucket(redis, mailReach.rateLimit().requestsPerSecond(),
                    properties.expectedReplicas(), registry);
        }

        @Bean
        AccountStore sharedAccountStore(SharedRedis redis, CacheProperties cache, MeterRegistry registry,
                Clock clock) {
            return new RedisAccountStore(redis, new CaffeineAccountStore(cache, registry, clock), cache.retention(),
                    registry);
        }

        @Bean(initMethod = "start", destroyMethod = "close")
        AccountLock sharedAccountLock(SharedRedis redis, SharedStateProperties properties, MeterRegistry registry) {
            return new RedisAccountLock(redis, properties.lockLease(), registry);
        }

        @Bean
        KeyPause mailReachKeyPause(SharedRedis redis, MailReachProperties mailReach, Ticker ticker) {
            return new RedisKeyPause(redis, mailReach.responseTimeout(), ticker);
        }

    }

    /** A standalone Redis, as {@code spring.data.redis.*} describes it. */
    static RedisURI uri(DataRedisProperties redis, DataRedisConnectionDetails connection) {
        DataRedisConnectionDetails.Standalone standalone = connection.getStandalone();
        RedisURI.Builder builder = RedisURI.builder()
            .withHost(standalone.getHost())
            .withPort(standalone.getPort())
            .withDatabase(standalone.getDatabase())
            .withTimeout((redis.getTimeout() != null) ? redis.getTimeout() : DEFAULT_TIMEOUT);
        boolean ssl = redis.getSsl().isEnabled() || (redis.getUrl() != null && redis.getUrl().startsWith("rediss:"));
        builder.withSsl(ssl);
        if (connection.getPassword() != null) {
            if (connection.getUsername() != null) {
                builder.withAuthentication(connection.getUsername(), connection.getPassword());
            }
            else {
                builder.withPassword(connection.getPassword().toCharArray());
            }
        }
        if (redis.getClientName() != null) {
            builder.withClientName(redis.getClientName());
        }
        return builder.build();
    }

}
