package com.mailreachgateway.redis;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
 * {@link PermitBucket#spacing}) kept in Redis under one key, so permits are spaced evenly
 * across replicas, never taken when they would come too late and never given back (see
 * {@link #reserve}): in any one-second window at most {@code requests-per-second} permits start.
 * Every Redis request carries {@code spring.data.redis.timeout} (Bucket4j's async Lettuce calls obey
 * no other timeout). A call that finds Redis gone takes a token from this
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
        this.period = PermitBucket.spacing(requestsPerSecond);
        this.configuration = BucketConfiguration.builder()
            .addLimit((limit) -> limit.capacity(1).refillGreedy(1, this.period))
            .build();
        this.localShare = PermitBucket.local(Math.max(1, requestsPerSecond / expectedReplicas),
                TimeMeter.SYSTEM_NANOTIME);
        this.sharedWaits = Timer.builder("gateway.redis.bucket.wait")
            .description("Time calls spent getting a permit from the shared bucket in Redis, its wait included")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    }

    @Override
    public CompletableFuture<Boolean> tryConsume(Duration maxWait, ScheduledExecutorService scheduler) {
        AsyncBucketProxy bucket = bucket();
        if (bucket == null) {
            return offShared(maxWait, scheduler);
        }
        long start = System.nanoTime();
        return reserve(bucket, start, maxWait.toNanos(), scheduler).handleAsync((granted, error) -> {
            if (error != null) {
                // Redis failed under this call: what is left of its wait goes to the local share.
                return offShared(maxWait.minusNanos(System.nanoTime() - start), scheduler);
            }
            if (granted) {
                this.sharedWaits.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
            return CompletableFuture.completedFuture(granted);
        }, scheduler).thenCompose((result) -> result);
    }

    /**
     * Reserves the next token only if it comes within what is left of the caller's wait, in one
     * Bucket4j command (a token that would come too late is never taken, so none is ever given back:
     * a token given back goes to whoever reserves next, onto a slot already granted, and two calls
     * would share one slot, an eleventh call in a one-second window at 10/s); completes when the
     * token is the caller's, or {@code false} at once. This replica sends one such request at a time:
     * Bucket4j's Lettuce bucket is a compare-and-swap loop, and dozens of callers racing on one key
     * retry each other past the command timeout (bucket4j#407); in line, the race is at most one per
     * replica. The next request goes as soon as Redis has answered this one, not when its token comes.
     */
    private CompletableFuture<Boolean> reserve(AsyncBucketProxy bucket, long start, long maxWaitNanos,
            ScheduledExecutorService scheduler) {
        CompletableFuture<Void> answered = new CompletableFuture<>();
        CompletableFuture<?> previous;
        synchronized (this) {
            previous = this.tail;
            this.tail = answered;
        }
        CompletableFuture<Boolean> granted = new CompletableFuture<>();
        previous.whenComplete((ignored, error) -> {
            long left = maxWaitNanos - (System.nanoTime() - start);
            CompletableFuture<Boolean> reservation;
            try {
                reservation = (left > 0)
                        ? bucket.asScheduler().tryConsume(1, left, noticingAnswer(scheduler, answered, start))
                        : bucket.tryConsume(1);
            }
            catch (RuntimeException ex) {
                // Thrown rather than returned (a closed connection): it must still end this request, or
                // the caller would wait forever and every later request of this replica behind it.
                reservation = CompletableFuture.failedFuture(ex);
            }
            reservation.whenComplete((ok, failure) -> {
                if (answered.complete(null)) {
                    this.redis.record(start, failure);
                }
                if (failure != null) {
                    granted.completeExceptionally(failure);
                }
                else {
                    granted.complete(ok);
                }
            });
        });
        return granted;
    }

    /**
     * The caller's scheduler, which also tells when Redis has answered a reservation whose token
     * comes later: Bucket4j schedules the grant only once it has the answer. (A reservation granted at
     * once or refused never schedules; its completion tells instead.)
     */
    private ScheduledExecutorService noticingAnswer(ScheduledExecutorService scheduler, CompletableFuture<Void> answered,
            long start) {
        return (ScheduledExecutorService) Proxy.newProxyInstance(ScheduledExecutorService.class.getClassLoader(),
                new Class<?>[] { ScheduledExecutorService.class }, (proxy, method, args) -> {
                    if (method.getName().equals("schedule") && answered.complete(null)) {
                        this.redis.record(start, null);
                    }
                    try {
                        return method.invoke(scheduler, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }

    private CompletableFuture<Boolean> offShared(Duration maxWait, ScheduledExecutorService scheduler) {
        if (this.redis.onFailure() == SharedStateProperties.OnFailure.REFUSE) {
            return CompletableFuture.failedFuture(new SharedStateUnavailableException(this.redis.probeInterval()));
        }
        return this.localShare.tryConsume(maxWait.isNegative() ? Duration.ZERO : maxWait, scheduler);
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
