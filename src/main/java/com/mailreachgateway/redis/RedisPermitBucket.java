package com.mailreachgateway.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.mailreachgateway.upstream.Permit;
import com.mailreachgateway.upstream.PermitBucket;
import com.mailreachgateway.upstream.PermitSlots;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The MailReach budget of all replicas: one sequence of slots, {@link PermitBucket#spacing} apart, kept
 * in Redis and handed out by one Lua script on Redis's clock (a slot is taken only if it comes within
 * the caller's wait, and never given back: given back, it would go to whoever reserves next, onto a
 * slot already granted). One round trip per permit, no compare-and-swap to retry under contention, and
 * no replica clocks that must agree. Every permit is written within {@link Permit#WRITE_WINDOW} after
 * its slot, placed on this replica's clock from the round trips' bounds ({@link RedisClock}). A call
 * that finds Redis gone takes a token from this replica's share instead
 * ({@code floor(rps / expected-replicas)}, its own slots), or is refused with {@code on-failure: refuse}.
 */
final class RedisPermitBucket implements PermitBucket {

    /**
     * Takes the next slot if it comes within the wait ({@code ARGV[2]}); returns {granted (1 or 0),
     * slot, now}, Redis microseconds. ARGV: spacing, wait, key lifetime (ms).
     */
    private static final String RESERVE = "redis.replicate_commands() "
            + "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000000 + tonumber(t[2]) "
            + "local slot = math.max(tonumber(redis.call('HGET', KEYS[1], 'next')) or 0, now) "
            + "local granted = 0 local nxt = slot "
            + "if slot - now <= tonumber(ARGV[2]) then granted = 1 nxt = slot + tonumber(ARGV[1]) end "
            + "redis.call('HSET', KEYS[1], 'next', string.format('%.0f', nxt)) "
            + "redis.call('PEXPIRE', KEYS[1], ARGV[3]) "
            + "return {granted, slot, now}";

    private static final byte[] SCRIPT = RESERVE.getBytes(StandardCharsets.UTF_8);

    /** How long the state outlives the last script: far beyond any slot it holds. */
    private static final long KEEP_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private final SharedRedis redis;

    private final byte[][] keys;

    private final Duration period;

    private final long spacingMicros;

    private final PermitSlots localShare;

    private final RedisClock clock = new RedisClock();

    private final Timer sharedWaits;

    RedisPermitBucket(SharedRedis redis, int requestsPerSecond, int expectedReplicas, MeterRegistry registry) {
        this.redis = redis;
        this.keys = new byte[][] { redis.key("permits").getBytes(StandardCharsets.UTF_8) };
        this.period = PermitBucket.spacing(requestsPerSecond);
        this.spacingMicros = TimeUnit.NANOSECONDS.toMicros(this.period.toNanos());
        this.localShare = new PermitSlots(PermitBucket.spacing(Math.max(1, requestsPerSecond / expectedReplicas)),
                System.nanoTime());
        this.sharedWaits = Timer.builder("gateway.redis.bucket.wait")
            .description("Time calls spent getting a permit from the shared bucket in Redis, its wait included")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    }

    @Override
    public CompletableFuture<Optional<Permit>> reserve(Duration maxWait) {
        StatefulRedisConnection<byte[], byte[]> connection = this.redis.connection();
        if (connection == null) {
            return offShared(maxWait);
        }
        long start = System.nanoTime();
        return script(connection, TimeUnit.NANOSECONDS.toMicros(Math.max(0, maxWait.toNanos())))
            .handle((answer, error) -> {
                if (error != null) {
                    // Redis failed under this call: what is left of its wait goes to the local share.
                    return offShared(maxWait.minusNanos(System.nanoTime() - start));
                }
                if (!answer.granted) {
                    return CompletableFuture.completedFuture(Optional.<Permit>empty());
                }
                long earliest = this.clock.latestLocal(answer.slot);
                long latest = this.clock.earliestLocal(answer.slot) + Permit.WRITE_WINDOW.toNanos();
                this.sharedWaits.record(Math.max(0, earliest - start), TimeUnit.NANOSECONDS);
                return CompletableFuture.completedFuture(Optional.of(new Permit(earliest, latest, (now) -> true)));
            })
            .thenCompose((result) -> result);
    }

    /**
     * One script on the replica's connection, bounded by the Redis timeout (the client's own, so that
     * a late answer is never an error without a subscriber) and reported like every command; its
     * answer is read on the client's thread.
     */
    private CompletableFuture<Answer> script(StatefulRedisConnection<byte[], byte[]> connection, long waitMicros) {
        long sent = System.nanoTime();
        CompletableFuture<List<Long>> reply;
        try {
            reply = eval(connection.async(), waitMicros);
        }
        catch (RuntimeException ex) {
            reply = CompletableFuture.failedFuture(ex);
        }
        return reply.thenApply((answer) -> {
            this.clock.sample(sent, System.nanoTime(), answer.get(2));
            return new Answer(answer.get(0) == 1, answer.get(1));
        }).whenComplete((answer, error) -> this.redis.record(sent, error));
    }

    private CompletableFuture<List<Long>> eval(RedisAsyncCommands<byte[], byte[]> commands, long waitMicros) {
        byte[][] args = { bytes(this.spacingMicros), bytes(waitMicros), bytes(KEEP_MILLIS) };
        return commands.<List<Long>>eval(SCRIPT, ScriptOutputType.MULTI, this.keys, args).toCompletableFuture();
    }

    private CompletableFuture<Optional<Permit>> offShared(Duration maxWait) {
        if (this.redis.onFailure() == SharedStateProperties.OnFailure.REFUSE) {
            return CompletableFuture.failedFuture(new SharedStateUnavailableException(this.redis.probeInterval()));
        }
        long now = System.nanoTime();
        OptionalLong slot = this.localShare.take(now, Math.max(0, maxWait.toNanos()), now);
        return CompletableFuture.completedFuture(
                slot.isPresent() ? Optional.of(Permit.at(slot.getAsLong(), (at) -> true)) : Optional.empty());
    }

    /**
     * For {@code Retry-After} only, answered without a Redis call (it runs on the rejection path):
     * one spacing, or the local share's wait while Redis is down.
     */
    @Override
    public Duration timeToNextToken() {
        long now = System.nanoTime();
        return (this.redis.connection() == null) ? this.localShare.untilFree(now, now) : this.period;
    }

    private static byte[] bytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }

    private record Answer(boolean granted, long slot) {
    }

}
