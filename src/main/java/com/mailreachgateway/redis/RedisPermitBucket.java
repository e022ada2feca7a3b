package com.mailreachgateway.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.mailreachgateway.upstream.PermitBucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The MailReach budget of all replicas: one Bucket4j bucket (one token, refilled every
 * {@code 1s / requests-per-second}) kept in Redis under one key, so permits are spaced evenly
 * across replicas. Every Redis request carries {@code spring.data.redis.timeout} (Bucket4j's
 * async Lettuce calls obey no other timeout). A call that finds Redis gone takes a token from this
 * replica's share instead ({@code floor(rps / expected-replicas)}, a local bucket), or is refused
 * with {@code on-failure: refuse}.
 */
final class RedisPermitBucket implements PermitBucket {

    private final SharedRedis redis;

    private final byte[] key;

    private final BucketConfiguration configuration;

    private final Duration period;

    private final PermitBucket localShare;

    private final Timer sharedWaits;

    private volatile Shared shared;

    /** The last token request sent to Redis; the next one waits for it (see {@link #reserve}). */
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    RedisPermitBucket(SharedRedis redis, int requestsPerSecond, int expectedReplicas, MeterRegistry registry) {
        this.redis = redis;
        this.key = redis.key("permits").getBytes(StandardCharsets.UTF_8);
        this.period = Duration.ofNanos(TimeUnit.SECONDS.toNanos(1) / requestsPerSecond);
        this.configuration = BucketConfiguration.builder()
            .addLimit((limit) -> limit.capacity(1).refillGreedy(1, this.period))
            .build();
        this.localShare = PermitBucket.local(Math.max(1, requestsPerSecond / expectedReplicas),
                TimeMeter.SYSTEM_NANOTIME);
        this.sharedWaits = Timer.builder("gateway.redis.bucket.wait")
            .description("Time calls spent getting a permit from the shared bucket in Redis, its wait included")
            .register(registry);
    }

    @Override
    public CompletableFuture<Boolean> tryConsume(Duration maxWait, ScheduledExecutorService scheduler) {
        AsyncBucketProxy bucket = bucket();
        if (bucket == null) {
            return offShared(maxWait, scheduler);
        }
        long start = System.nanoTime();
        return reserve(bucket).handleAsync((nanosToWait, error) -> {
            this.redis.record(start, error);
            if (error != null) {
                // Redis failed under this call: what is left of its wait goes to the local share.
                return offShared(maxWait.minusNanos(System.nanoTime() - start), scheduler);
            }
            long left = maxWait.toNanos() - (System.nanoTime() - start);
            if (nanosToWait > left) {
                // Too late for this caller: the token goes back, nothing was taken.
                give(bucket);
                return CompletableFuture.completedFuture(false);
            }
            CompletableFuture<Boolean> granted = new CompletableFuture<>();
            scheduler.schedule(() -> {
                this.sharedWaits.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                granted.complete(true);
            }, Math.max(0, nanosToWait), TimeUnit.NANOSECONDS);
            return granted;
        }, scheduler).thenCompose((result) -> result);
    }

    /**
     * Takes the next token, even one that comes only later (the bucket goes into debt), and tells
     * how long until it is this caller's. This replica sends one such request at a time: Bucket4j's
     * Lettuce bucket is a compare-and-swap loop, and dozens of callers racing on one key retry each
     * other past the command timeout (bucket4j#407); in line, the race is at most one per replica.
     */
    private CompletableFuture<Long> reserve(AsyncBucketProxy bucket) {
        CompletableFuture<Long> mine = new CompletableFuture<>();
        CompletableFuture<?> previous;
        synchronized (this) {
            previous = this.tail;
            this.tail = mine;
        }
        previous.whenComplete((ignored, error) -> bucket.consumeIgnoringRateLimits(1).whenComplete((nanos, failure) -> {
            if (failure != null) {
                mine.completeExceptionally(failure);
            }
            else {
                mine.complete(nanos);
            }
        }));
        return mine;
    }

    private void give(AsyncBucketProxy bucket) {
        long start = System.nanoTime();
        bucket.addTokens(1).whenComplete((done, error) -> this.redis.record(start, error));
    }

    private CompletableFuture<Boolean> offShared(Duration maxWait, ScheduledExecutorService scheduler) {
        if (this.redis.onFailure() == SharedStateProperties.OnFailure.REFUSE) {
            return CompletableFuture.failedFuture(new SharedStateUnavailableException(this.redis.probeInterval()));
        }
        return this.localShare.tryConsume(maxWait.isNegative() ? Duration.ZERO : maxWait, scheduler);
    }

    @Override
    public void refund() {
        AsyncBucketProxy bucket = bucket();
        if (bucket == null) {
            this.localShare.refund();
            return;
        }
        give(bucket);
    }

    /**
     * For {@code Retry-After} only, answered without a Redis call (it runs on the rejection path):
     * one refill period, or the local share's wait while Redis is down.
     */
    @Override
    public Duration timeToNextToken() {
        return (bucket() == null) ? this.localShare.timeToNextToken() : this.period;
    }

    /** The shared bucket on the current connection, {@code null} in fallback. */
    private AsyncBucketProxy bucket() {
        StatefulRedisConnection<byte[], byte[]> connection = this.redis.connection();
        if (connection == null) {
            return null;
        }
        Shared current = this.shared;
        if (current == null || current.connection != connection) {
            AsyncBucketProxy proxy = Bucket4jLettuce.casBasedBuilder(connection)
                .requestTimeout(this.redis.timeout())
                .expirationAfterWrite(ExpirationAfterWriteStrategy
                    .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                .build()
                .asAsync()
                .builder()
                .build(this.key, () -> CompletableFuture.completedFuture(this.configuration));
            current = new Shared(connection, proxy);
            this.shared = current;
        }
        return current.bucket;
    }

    private record Shared(StatefulRedisConnection<byte[], byte[]> connection, AsyncBucketProxy bucket) {
    }

}
