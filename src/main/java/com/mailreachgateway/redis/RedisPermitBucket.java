package com.mailreachgateway.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.mailreachgateway.system.Ticker;
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
 * the caller's wait, and never given back), and this replica's local share
 * ({@code floor(rps / expected-replicas)}, its own slots) while Redis is unusable, or a refusal with
 * {@code on-failure: refuse}. Every permit is written within {@link Permit#WRITE_WINDOW} after its slot.
 * <p>
 * <b>Why no one-second window at MailReach holds more than {@code rps} calls</b> ({@code s} the shared
 * spacing, {@code N} expected replicas, {@code e} the write window, {@code g} the arrival guard,
 * {@code τ} the Redis timeout, {@code q} the probe interval):
 * <ol>
 * <li>Within one budget: shared slots are one sequence, {@code ≥ s} apart; a local share's are
 * {@code ≥ N·s} apart ({@code N·floor(rps/N) ≤ rps}). Any {@code rps + 1} writes of one budget span at
 * least {@code rps·s - e = 1 s + g - e}, and {@code g - e} covers the way to MailReach.</li>
 * <li>From one budget to the other: if the ending one's last write is at {@code A} and the starting
 * one's first slot at {@code B ≥ A + (N+1)·s}, a window {@code [a, a + 1 s)} holds at most
 * {@code (A - a + e)/s + N} of the ending one's writes (N sequences, each with one at its end) and
 * {@code (a + 1 s - B)/s + 1} of the starting one's (or the other way round), in all
 * {@code rps + N + 1 - (B - A + g - e)/s ≤ rps}. The handover gap is {@code (N+1)·s}.</li>
 * <li>Shared to local: a shared permit is written only within {@code W = τ} of the sending of a bucket
 * script that Redis answered (a keep-alive runs every {@code τ/5}). Nothing sent after Redis stopped
 * answering (at {@code F}) is answered until it is back, so shared writes end by {@code F + W}. A
 * replica falls back at {@code d ≥ F}; its local share starts at {@code d + W + (N+1)·s}.</li>
 * <li>Local to shared: a local permit is written only within {@code V = 1.5·q} of the last instant Redis
 * is known not to have answered this replica; probes go every {@code q} without waiting for each
 * other, so that instant keeps up while Redis is away. Once Redis answers again (at {@code T}), nothing
 * goes unanswered after {@code T}: local writes end by {@code T + V}, on every replica, however late it
 * finds Redis back. Redis itself knows it was away: every script stamps its time, and the first after
 * a silence longer than {@code G = τ/2} (shorter than any outage that let a command time out; the
 * replicas' keep-alives fill quiet times), or on an empty Redis (restarted), sets a fence
 * {@code J = max(V, W) + (N+1)·s} ahead, before which no shared slot is given, to any replica, whether
 * it fell back or not. Slots reserved before the silence are void once a replica sees the new fence.</li>
 * </ol>
 * This holds when Redis is unusable for every replica (stopped, frozen, restarted, unreachable); a
 * Redis that keeps answering some replicas while others fall back (a partition) adds their local shares
 * to the shared budget.
 */
final class RedisPermitBucket implements PermitBucket {

    /**
     * Takes the next slot if it comes within the wait ({@code ARGV[2]}, -1: take none, only stamp the
     * time); returns {granted (1 or 0), slot, now, fence}, Redis microseconds. ARGV: spacing, wait,
     * silence that sets a fence, how far ahead it is set, key lifetime (ms).
     */
    private static final String RESERVE = RedisClock.LUA_NOW
            + "local h = redis.call('HMGET', KEYS[1], 'next', 'fence', 'last') "
            + "local fence = tonumber(h[2]) or 0 "
            + "local last = tonumber(h[3]) "
            + "if (not last) or us - last > tonumber(ARGV[3]) then "
            + "fence = math.max(fence, us + tonumber(ARGV[4])) end "
            + "local slot = math.max(tonumber(h[1]) or 0, us, fence) "
            + "local granted = 0 local nxt = slot "
            + "if slot - us <= tonumber(ARGV[2]) then granted = 1 nxt = slot + tonumber(ARGV[1]) end "
            + "redis.call('HSET', KEYS[1], 'next', string.format('%.0f', nxt), 'fence', string.format('%.0f', fence), "
            + "'last', string.format('%.0f', us)) "
            + "redis.call('PEXPIRE', KEYS[1], ARGV[5]) "
            + "return {granted, slot, us, fence}";

    private static final byte[] SCRIPT = RESERVE.getBytes(StandardCharsets.UTF_8);

    /** How long the state outlives the last script: far beyond any slot or fence it holds. */
    private static final long KEEP_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private final SharedRedis redis;

    private final byte[][] keys;

    private final Duration period;

    private final long spacingMicros;

    /** The silence after which Redis sets a fence ({@code G}), and how far ahead ({@code J}), in µs. */
    private final long silenceMicros;

    private final long fenceMicros;

    /** {@code W}: how long after a bucket script was sent (and answered) shared permits may be written. */
    private final long heardWithin;

    /** {@code V}: how long after Redis was last known not to answer local permits may be written. */
    private final long unansweredWithin;

    /** From the start of an outage to the local share's first slot: {@code W + (N+1)·s}. */
    private final long localStart;

    private final PermitSlots localShare;

    private final RedisClock clock;

    private final Ticker ticker;

    /** The latest fence Redis has shown this replica (µs); shared permits under an older one are void. */
    private final AtomicLong fence = new AtomicLong(Long.MIN_VALUE);

    /** When the latest bucket script that Redis answered was sent ({@link Ticker}). */
    private final AtomicLong heard;

    private final Timer sharedWaits;

    RedisPermitBucket(SharedRedis redis, int requestsPerSecond, int expectedReplicas, MeterRegistry registry) {
        this.redis = redis;
        this.ticker = redis.ticker();
        this.clock = new RedisClock(this.ticker);
        this.heard = new AtomicLong(this.ticker.read() - TimeUnit.DAYS.toNanos(1));
        this.keys = new byte[][] { redis.key("permits").getBytes(StandardCharsets.UTF_8) };
        this.period = PermitBucket.spacing(requestsPerSecond);
        this.spacingMicros = TimeUnit.NANOSECONDS.toMicros(this.period.toNanos());
        Duration handover = this.period.multipliedBy(expectedReplicas + 1);
        Duration heardWithin = redis.timeout();
        Duration unansweredWithin = redis.probeInterval().multipliedBy(3).dividedBy(2);
        this.heardWithin = heardWithin.toNanos();
        this.unansweredWithin = unansweredWithin.toNanos();
        this.localStart = heardWithin.plus(handover).toNanos();
        this.silenceMicros = TimeUnit.NANOSECONDS.toMicros(redis.timeout().toNanos() / 2);
        Duration longer = (heardWithin.compareTo(unansweredWithin) > 0) ? heardWithin : unansweredWithin;
        Duration fence = longer.plus(handover);
        this.fenceMicros = TimeUnit.NANOSECONDS.toMicros(fence.toNanos());
        this.localShare = new PermitSlots(PermitBucket.spacing(Math.max(1, requestsPerSecond / expectedReplicas)),
                this.ticker.read());
        this.sharedWaits = Timer.builder("gateway.redis.bucket.wait")
            .description("Time calls spent getting a permit from the shared bucket in Redis, its wait included")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
        // Keeps Redis's stamp fresh (a silence sets a fence) and this replica's shared permits usable.
        redis.keepAlive(() -> script(-1));
    }

    @Override
    public CompletableFuture<Optional<Permit>> reserve(Duration maxWait) {
        if (this.redis.outage() != null) {
            return offShared(maxWait);
        }
        long start = this.ticker.read();
        return script(TimeUnit.NANOSECONDS.toMicros(Math.max(0, maxWait.toNanos())))
            .handle((answer, error) -> {
                if (error != null) {
                    // Redis failed under this call: what is left of its wait goes to the local share.
                    return offShared(maxWait.minusNanos(this.ticker.read() - start));
                }
                if (!answer.granted) {
                    return CompletableFuture.completedFuture(Optional.<Permit>empty());
                }
                long earliest = this.clock.latestLocal(answer.slot);
                long latest = this.clock.earliestLocal(answer.slot) + Permit.WRITE_WINDOW.toNanos();
                long fenceSeen = answer.fence;
                this.sharedWaits.record(Math.max(0, earliest - start), TimeUnit.NANOSECONDS);
                return CompletableFuture.completedFuture(Optional.of(new Permit(earliest, latest, (now) -> {
                    // heard first: a newer answer updates the fence before it updates heard.
                    long heardAt = this.heard.get();
                    return this.fence.get() == fenceSeen && now - heardAt <= this.heardWithin;
                })));
            })
            .thenCompose((result) -> result);
    }

    /**
     * One bucket script on the replica's connection, bounded by the Redis timeout (the client's own,
     * so that a late answer is never an error without a subscriber) and reported like every command;
     * its answer is read on the client's thread, in the order answers arrive.
     */
    private CompletableFuture<Answer> script(long waitMicros) {
        StatefulRedisConnection<byte[], byte[]> connection = this.redis.connection();
        if (connection == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis in fallback"));
        }
        long sent = this.ticker.read();
        CompletableFuture<List<Long>> reply;
        try {
            reply = eval(connection.async(), waitMicros);
        }
        catch (RuntimeException ex) {
            reply = CompletableFuture.failedFuture(ex);
        }
        return reply.thenApply((answer) -> observe(sent, answer))
            .whenComplete((answer, error) -> this.redis.record(sent, error));
    }

    private CompletableFuture<List<Long>> eval(RedisAsyncCommands<byte[], byte[]> commands, long waitMicros) {
        byte[][] args = { bytes(this.spacingMicros), bytes(waitMicros), bytes(this.silenceMicros),
                bytes(this.fenceMicros), bytes(KEEP_MILLIS) };
        return commands.<List<Long>>eval(SCRIPT, ScriptOutputType.MULTI, this.keys, args).toCompletableFuture();
    }

    private Answer observe(long sent, List<Long> reply) {
        long answered = this.ticker.read();
        this.clock.sample(sent, answered, reply.get(2));
        this.fence.accumulateAndGet(reply.get(3), Math::max);
        this.heard.accumulateAndGet(sent, (a, b) -> (b - a > 0) ? b : a);
        return new Answer(reply.get(0) == 1, reply.get(1), reply.get(3));
    }

    private CompletableFuture<Optional<Permit>> offShared(Duration maxWait) {
        Optional<SharedStateUnavailableException> refused = this.redis.refusal();
        if (refused.isPresent()) {
            return CompletableFuture.failedFuture(refused.get());
        }
        SharedRedis.Outage outage = this.redis.outage();
        if (outage == null) {
            // Failed without an outage (cannot be told apart from one just ending): no permit this time.
            return CompletableFuture.completedFuture(Optional.empty());
        }
        long now = this.ticker.read();
        OptionalLong slot = this.localShare.take(now, Math.max(0, maxWait.toNanos()), outage.since + this.localStart);
        if (slot.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return CompletableFuture.completedFuture(Optional.of(Permit.at(slot.getAsLong(),
                (at) -> this.redis.outage() == outage && at - this.redis.lastUnanswered() <= this.unansweredWithin)));
    }

    /**
     * For {@code Retry-After} only, answered without a Redis call (it runs on the rejection path):
     * one spacing, or the local share's wait while Redis is unusable.
     */
    @Override
    public Duration timeToNextToken() {
        SharedRedis.Outage outage = this.redis.outage();
        if (outage == null) {
            return this.period;
        }
        return this.localShare.untilFree(this.ticker.read(), outage.since + this.localStart);
    }

    private static byte[] bytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }

    private record Answer(boolean granted, long slot, long fence) {
    }

}
