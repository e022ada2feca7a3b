package com.mailreachgateway.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import com.mailreachgateway.state.CacheProperties;
import com.mailreachgateway.state.CachedAccount;
import com.mailreachgateway.state.CaffeineAccountStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shared account store of two replicas on one real Redis, without HTTP: a copy one replica
 * could not drop during an outage is dropped before that replica uses Redis again, and the other
 * replica, back from the same outage first, does not take copies from before it as fresh meanwhile.
 */
class RedisAccountStoreIntegrationTests {

    private static final byte[] ACCOUNT = "{\"id\": 1}".getBytes(StandardCharsets.UTF_8);

    private static final CacheProperties CACHE = new CacheProperties(Duration.ofMinutes(5), Duration.ofHours(1), 100);

    @Test
    void aCopyThatCouldNotBeDroppedDuringAnOutageIsDroppedBeforeItsReplicaRejoinsAndDoubtedByTheOthersMeanwhile() {
        try (SharedRedisFixture fixture = new SharedRedisFixture()) {
            SimpleMeterRegistry evictingRegistry = new SimpleMeterRegistry();
            SharedRedis evicting = fixture.connect("store-test:", evictingRegistry);
            RedisAccountStore evictingStore = store(evicting, evictingRegistry);
            SharedRedis other = fixture.connect("store-test:", new SimpleMeterRegistry());
            RedisAccountStore otherStore = store(other, new SimpleMeterRegistry());
            evictingStore.put(1, ACCOUNT).block(Duration.ofSeconds(2));
            assertThat(copy(otherStore, 1).doubtful()).as("a copy stored while Redis answers").isFalse();

            fixture.freeze();
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> !evicting.shared() && !other.shared());
                evictingStore.evict(1).block(Duration.ofSeconds(2));
                assertThat(evictingRegistry.get("gateway.redis.eviction.failures").counter().count()).isEqualTo(1);
                // The evicting replica stays away from Redis (as if its probe came late, or it died).
                evicting.close();
            }
            finally {
                fixture.thaw();
            }
            await().atMost(Duration.ofSeconds(5)).until(other::shared);

            assertThat(copy(otherStore, 1).doubtful()).as("a copy from before the other replica came back").isTrue();
            otherStore.put(2, ACCOUNT).block(Duration.ofSeconds(2));
            assertThat(copy(otherStore, 2).doubtful()).as("a copy stored after it came back").isFalse();
            // For two probe periods: then any replica that could drop its copies in Redis has done so.
            await().atMost(Duration.ofSeconds(5)).until(() -> !copy(otherStore, 1).doubtful());
        }
    }

    @Test
    void aCopyThatCouldNotBeDroppedDuringAnOutageIsGoneFromRedisWhenItsReplicaIsBackOnSharedState() {
        try (SharedRedisFixture fixture = new SharedRedisFixture()) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            SharedRedis evicting = fixture.connect("store-test:", registry);
            RedisAccountStore evictingStore = store(evicting, registry);
            SharedRedis other = fixture.connect("store-test:", new SimpleMeterRegistry());
            RedisAccountStore otherStore = store(other, new SimpleMeterRegistry());
            evictingStore.put(1, ACCOUNT).block(Duration.ofSeconds(2));

            fixture.freeze();
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> !evicting.shared());
                evictingStore.evict(1).block(Duration.ofSeconds(2));
            }
            finally {
                fixture.thaw();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> evicting.shared() && other.shared());

            assertThat(otherStore.get(1).block(Duration.ofSeconds(2))).as("the copy in Redis").isEmpty();
        }
    }

    private static RedisAccountStore store(SharedRedis redis, SimpleMeterRegistry registry) {
        return new RedisAccountStore(redis, new CaffeineAccountStore(CACHE, registry, Clock.systemUTC()),
                Duration.ofHours(1), registry);
    }

    private static CachedAccount copy(RedisAccountStore store, int id) {
        return store.get(id).block(Duration.ofSeconds(2)).orElseThrow();
    }

}
