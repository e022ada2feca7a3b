package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.mailreachgateway.support.EmbeddedRedis;
import com.mailreachgateway.system.Ticker;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * One real Redis and the shared-state connections of several replicas to it, for tests of one
 * shared-state piece without application contexts: each replica's {@link SharedRedis} as the
 * gateway opens it (local-share fallback, three expected replicas, 500 ms command timeout).
 */
final class SharedRedisFixture implements AutoCloseable {

    private final EmbeddedRedis redis = new EmbeddedRedis();

    private final ClientResources resources = ClientResources.create();

    private final List<SharedRedis> connections = new ArrayList<>();

    private final RedisURI uri;

    SharedRedisFixture() {
        this.redis.start();
        this.uri = this.redis.uri(Duration.ofMillis(500));
    }

    RedisURI uri() {
        return this.uri;
    }

    /** Freezes Redis (SIGSTOP): connections stay open, commands hang (see {@link EmbeddedRedis#freeze()}). */
    void freeze() {
        this.redis.freeze();
    }

    void thaw() {
        this.redis.thaw();
    }

    /** A started connection of one more replica, its keys under {@code prefix}. */
    SharedRedis connect(String prefix, MeterRegistry registry) {
        SharedStateProperties properties = new SharedStateProperties(true, prefix,
                SharedStateProperties.OnFailure.LOCAL_SHARE, 3, Duration.ofSeconds(1), Duration.ofSeconds(3));
        SharedRedis shared = new SharedRedis(this.resources, this.uri, properties, registry, Ticker.SYSTEM);
        // As the budget's keep-alive does in a gateway (a bucket made on this connection replaces it): a
        // Redis that stops answering is noticed while nothing else is sent.
        shared.keepAlive(() -> shared.<String>command((redis) -> redis.ping().toCompletableFuture())
            .subscribe(null, (ex) -> {
            }));
        shared.start();
        this.connections.add(shared);
        return shared;
    }

    /** Empties Redis, as a restart without persistence does. */
    void flushAll() {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(this.resources, this.uri);
        try (var connection = client.connect()) {
            connection.sync().flushall();
        }
        finally {
            client.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        this.redis.thaw();
        this.connections.forEach(SharedRedis::close);
        this.resources.shutdown(0, 1, TimeUnit.SECONDS);
        this.redis.stop();
    }

}
