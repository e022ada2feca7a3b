package com.mailreachgateway.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.mailreachgateway.system.Ticker;
import com.mailreachgateway.upstream.KeyPause;
import io.lettuce.core.ScriptOutputType;
import reactor.core.publisher.Mono;

/**
 * The key's pause shared by all replicas: one Redis hash (until, probe needed, probe lease end),
 * read and changed only by Lua scripts on Redis's own clock, so replicas' clocks do not matter.
 * The semantics are those of the local pause: while it lasts nobody calls; when it ends one
 * replica's call is the probe (a lease of one attempt's time, so a probe whose replica died never
 * blocks the key), and the others go once it was answered without a new pause. A 429 seen here is
 * also kept in this replica's local pause, which takes over while Redis is unreachable.
 */
final class RedisKeyPause implements KeyPause {

    /** Waiters behind a probe look again this often at most (as the local pause). */
    private static final long PROBE_POLL_MILLIS = 25;

    /** How long the hash outlives the pause: room for the probe and its answer. */
    private static final long KEEP_MILLIS = 60_000;

    /** Returns {decision (0 go, 1 probe, 2 wait), wait millis, pause left millis}. */
    private static final String ADMIT = RedisClock.LUA_NOW
            + "local h = redis.call('HMGET', KEYS[1], 'until', 'probe', 'probeUntil') "
            + "if not h[1] then return {0, 0, 0} end "
            + "local untilMs = tonumber(h[1]) "
            + "if now < untilMs then return {2, untilMs - now, untilMs - now} end "
            + "if h[2] ~= '1' then redis.call('DEL', KEYS[1]) return {0, 0, 0} end "
            + "local probeUntil = tonumber(h[3] or '0') "
            + "if now < probeUntil then return {2, math.min(probeUntil - now, tonumber(ARGV[2])), 0} end "
            + "redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[1])) "
            + "return {1, 0, 0}";

    /** Keeps the longer pause; returns the pause left in millis. */
    private static final String PAUSE = RedisClock.LUA_NOW
            + "local untilMs = now + tonumber(ARGV[1]) "
            + "local current = tonumber(redis.call('HGET', KEYS[1], 'until') or '0') "
            + "if current > untilMs then untilMs = current end "
            + "redis.call('HSET', KEYS[1], 'until', untilMs, 'probe', '1', 'probeUntil', untilMs) "
            + "redis.call('PEXPIRE', KEYS[1], untilMs - now + tonumber(ARGV[2])) "
            + "return untilMs - now";

    private static final String PROBE_ENDED = RedisClock.LUA_NOW
            + "local untilMs = redis.call('HGET', KEYS[1], 'until') "
            + "if not untilMs then return 0 end "
            + "if ARGV[1] == '1' and now >= tonumber(untilMs) then redis.call('DEL', KEYS[1]) return 1 end "
            + "redis.call('HSET', KEYS[1], 'probeUntil', now) "
            + "return 0";

    private final SharedRedis redis;

    private final byte[][] keys;

    private final long probeLeaseMillis;

    private final Duration probeLease;

    private final Ticker ticker;

    /** This replica's own pause, which takes over while Redis is unreachable. */
    private volatile KeyPause local;

    /** The pause left as Redis last told it, for the gauge and for messages (on the {@link Ticker}). */
    private volatile long knownUntil;

    RedisKeyPause(SharedRedis redis, Duration probeLease, Ticker ticker) {
        this.redis = redis;
        this.keys = new byte[][] { redis.key("pause").getBytes(StandardCharsets.UTF_8) };
        this.probeLeaseMillis = probeLease.toMillis();
        this.probeLease = probeLease;
        this.ticker = ticker;
        this.local = KeyPause.local(probeLease, ticker);
        this.knownUntil = ticker.read();
    }

    @Override
    public Mono<Admission> admission() {
        return Mono.defer(() -> {
            if (!this.redis.shared()) {
                return offShared();
            }
            return this.redis.<List<Long>>command((redis) -> eval(redis, ADMIT, this.probeLeaseMillis, PROBE_POLL_MILLIS))
                .map((answer) -> {
                    long decision = answer.get(0);
                    remember(answer.get(2));
                    if (decision == 0) {
                        return Admission.GO;
                    }
                    return (decision == 1) ? Admission.PROBE : Admission.waitFor(Duration.ofMillis(answer.get(1)));
                })
                .onErrorResume((ex) -> offShared());
        });
    }

    private Mono<Admission> offShared() {
        if (this.redis.onFailure() == SharedStateProperties.OnFailure.REFUSE) {
            return Mono.error(new SharedStateUnavailableException(this.redis.probeInterval()));
        }
        return this.local.admission();
    }

    @Override
    public void pause(Duration retryAfter) {
        this.local.pause(retryAfter);
        remember(retryAfter.toMillis());
        if (this.redis.shared()) {
            // Sent at once on the one connection, so this replica's next admission (a later command on
            // it) already sees the pause.
            // A failure was counted and put the replica in fallback (SharedRedis.command), where the local
            // pause above takes over: nothing more to do with it here, and nothing left unhandled.
            this.redis.<Long>command((redis) -> eval(redis, PAUSE, retryAfter.toMillis(), KEEP_MILLIS))
                .subscribe(this::remember, (ex) -> {
                });
        }
    }

    @Override
    public void probeEnded(boolean resumed) {
        this.local.probeEnded(resumed);
        if (this.redis.shared()) {
            // As in pause: a failure is counted and reported by SharedRedis.command; the probe lease ends on
            // its own in Redis.
            this.redis.<Long>command((redis) -> eval(redis, PROBE_ENDED, resumed ? 1 : 0))
                .subscribe((ended) -> {
                }, (ex) -> {
                });
        }
    }

    @Override
    public Duration remaining() {
        long left = this.knownUntil - this.ticker.read();
        Duration shared = (left > 0) ? Duration.ofNanos(left) : Duration.ZERO;
        Duration mine = this.local.remaining();
        return (this.redis.shared() || shared.compareTo(mine) > 0) ? shared : mine;
    }

    /**
     * Forgets what this replica knows of the pause (its own fallback pause, and the pause Redis last
     * told). The gateway never calls it (a pause ends by itself); tests in this package call it, and
     * delete the shared key themselves, to start from a key that is not paused.
     */
    void forgetLocally() {
        this.local = KeyPause.local(this.probeLease, this.ticker);
        this.knownUntil = this.ticker.read();
    }

    private void remember(long leftMillis) {
        this.knownUntil = this.ticker.read() + Duration.ofMillis(leftMillis).toNanos();
    }

    private <T> CompletableFuture<T> eval(io.lettuce.core.api.async.RedisAsyncCommands<byte[], byte[]> redis,
            String script, long... args) {
        byte[][] values = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            values[i] = Long.toString(args[i]).getBytes(StandardCharsets.UTF_8);
        }
        ScriptOutputType type = (script == ADMIT) ? ScriptOutputType.MULTI : ScriptOutputType.INTEGER;
        return redis.<T>eval(script.getBytes(StandardCharsets.UTF_8), type, this.keys, values).toCompletableFuture();
    }

}
