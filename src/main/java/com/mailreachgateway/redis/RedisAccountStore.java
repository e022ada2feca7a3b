package com.mailreachgateway.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.mailreachgateway.state.AccountStore;
import com.mailreachgateway.state.CachedAccount;
import com.mailreachgateway.state.CaffeineAccountStore;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import com.mailreachgateway.state.AccountStore.ReadStart;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Accounts shared by the replicas: one Redis string per account, {@code <version>:<stored at, ms>:<json>},
 * kept for {@code max(ttl, stale-if-error)}. Versions come from one Redis counter and the time from
 * Redis's clock, both inside Lua scripts, so a read that started before an update through any
 * replica never stores its older answer over it (compare-and-set on the version), and {@code Age}
 * is the same on every replica. What this replica writes, reads from MailReach or finds in Redis is
 * also kept in its own Caffeine store, which serves while Redis is unreachable (with local versions): then a copy may be older
 * than an update made through another replica, by at most the TTL.
 */
final class RedisAccountStore implements AccountStore {

    private static final Logger logger = LoggerFactory.getLogger(RedisAccountStore.class);

    /** KEYS: entry, counter; ARGV: json, keep ms. Returns the stored value. */
    private static final String PUT = RedisClock.LUA_NOW
            + "local v = redis.call('INCR', KEYS[2]) "
            + "local value = v .. ':' .. now .. ':' .. ARGV[1] "
            + "redis.call('SET', KEYS[1], value, 'PX', ARGV[2]) "
            + "return value";

    /** KEYS: entry, counter; ARGV: json, keep ms, version at start. Returns the value kept. */
    private static final String PUT_READ = RedisClock.LUA_NOW
            + "local current = redis.call('GET', KEYS[1]) "
            + "if current then "
            + "  local v = tonumber(string.match(current, '^(%d+):')) "
            + "  if v and v > tonumber(ARGV[3]) then return current end "
            + "end "
            + "local v = redis.call('INCR', KEYS[2]) "
            + "local value = v .. ':' .. now .. ':' .. ARGV[1] "
            + "redis.call('SET', KEYS[1], value, 'PX', ARGV[2]) "
            + "return value";

    private final SharedRedis redis;

    private final CaffeineAccountStore local;

    private final byte[] counter;

    private final byte[] keep;

    /** Accounts whose copy could not be dropped in Redis, to drop before this replica uses it again. */
    private final Set<Integer> undropped = ConcurrentHashMap.newKeySet();

    private final Counter failedEvictions;

    RedisAccountStore(SharedRedis redis, CaffeineAccountStore local, Duration keep, MeterRegistry registry) {
        this.redis = redis;
        this.local = local;
        this.counter = bytes(redis.key("accounts:version"));
        this.keep = bytes(Long.toString(keep.toMillis()));
        this.failedEvictions = Counter.builder("gateway.redis.eviction.failures")
            .description("Cached account copies Redis could not drop at once (after an update in doubt); each is "
                    + "dropped before the replica uses shared state again")
            .register(registry);
        redis.beforeRejoin(this::dropUndropped);
    }

    @Override
    public Mono<Optional<CachedAccount>> get(int id) {
        if (!this.redis.shared()) {
            return this.local.get(id);
        }
        return this.redis.<byte[]>command((redis) -> redis.get(key(id)).toCompletableFuture())
            .map((value) -> {
                CachedAccount shared = parse(value);
                // Kept here too: with Redis gone (refuse as well as local-share) this replica still serves it.
                this.local.mirrorNow(id, shared);
                return Optional.of(this.redis.mayBeUndropped(shared.storedAt()) ? shared.doubted() : shared);
            })
            .defaultIfEmpty(Optional.empty())
            .onErrorResume((ex) -> this.local.get(id));
    }

    @Override
    public Mono<CachedAccount> put(int id, byte[] json) {
        this.local.putNow(id, json);
        if (!this.redis.shared()) {
            return this.local.get(id).map(Optional::get);
        }
        return this.redis.<byte[]>command((redis) -> eval(redis, PUT, id, json, this.keep))
            .map(RedisAccountStore::parse)
            .onErrorResume((ex) -> this.local.get(id).map(Optional::get));
    }

    @Override
    public Mono<ReadStart> latestVersion() {
        if (!this.redis.shared()) {
            return this.local.latestVersion();
        }
        // The local version too: a read may end in fallback and store locally.
        long localVersion = this.local.latestVersionNow();
        return this.redis.<byte[]>command((redis) -> redis.get(this.counter).toCompletableFuture())
            .map((value) -> Long.parseLong(new String(value, StandardCharsets.UTF_8)))
            .defaultIfEmpty(0L)
            .map((shared) -> new ReadStart(shared, localVersion))
            .onErrorResume((ex) -> Mono.just(new ReadStart(-1, localVersion)));
    }

    @Override
    public Mono<CachedAccount> putRead(int id, byte[] json, ReadStart start) {
        CachedAccount mine = this.local.putReadNow(id, json, start.fallbackVersion());
        if (!this.redis.shared() || start.version() < 0) {
            return Mono.just(mine);
        }
        return this.redis.<byte[]>command((redis) -> eval(redis, PUT_READ, id, json, this.keep,
                bytes(Long.toString(start.version()))))
            .map(RedisAccountStore::parse)
            .onErrorReturn(mine);
    }

    /**
     * Drops the copy here and in Redis. One that cannot be dropped in Redis now (Redis unreachable, the
     * replica in fallback) is not forgotten: it is counted, logged once, and dropped before this replica
     * uses shared state again (see {@link SharedRedis#beforeRejoin}), while the other replicas, back
     * from the same outage, do not serve copies from before it as fresh until it has been
     * ({@link SharedRedis#mayBeUndropped}).
     */
    @Override
    public Mono<Void> evict(int id) {
        this.local.evictNow(id);
        if (!this.redis.shared()) {
            undropped(id, "Redis unreachable");
            return Mono.empty();
        }
        return this.redis.<Long>command((redis) -> redis.del(key(id)).toCompletableFuture())
            .then()
            .onErrorResume((ex) -> {
                undropped(id, ex.getClass().getSimpleName());
                return Mono.empty();
            });
    }

    private void undropped(int id, String why) {
        this.failedEvictions.increment();
        if (this.undropped.add(id)) {
            logger.warn("Cached copy of account {} not dropped from Redis ({}): this replica drops it before it uses "
                    + "shared state again", id, why);
        }
    }

    /** Drops the copies that could not be dropped while Redis was unreachable; part of coming back. */
    private CompletableFuture<?> dropUndropped(RedisAsyncCommands<byte[], byte[]> redis) {
        List<Integer> ids = List.copyOf(this.undropped);
        if (ids.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return redis.del(ids.stream().map(this::key).toArray(byte[][]::new)).toCompletableFuture().thenRun(() -> {
            this.undropped.removeAll(ids);
            logger.info("Dropped {} cached account copies from Redis that could not be dropped while it was unreachable",
                    ids.size());
        });
    }

    private byte[] key(int id) {
        return bytes(this.redis.key("account:" + id));
    }

    private CompletableFuture<byte[]> eval(RedisAsyncCommands<byte[], byte[]> redis,
            String script, int id, byte[]... args) {
        return redis.<byte[]>eval(bytes(script), ScriptOutputType.VALUE, new byte[][] { key(id), this.counter }, args)
            .toCompletableFuture();
    }

    /** {@code <version>:<stored at ms>:<json>} */
    static CachedAccount parse(byte[] value) {
        int first = indexOf(value, 0);
        int second = indexOf(value, first + 1);
        long version = Long.parseLong(new String(value, 0, first, StandardCharsets.US_ASCII));
        long storedAt = Long.parseLong(new String(value, first + 1, second - first - 1, StandardCharsets.US_ASCII));
        return new CachedAccount(Arrays.copyOfRange(value, second + 1, value.length), Instant.ofEpochMilli(storedAt),
                version);
    }

    private static int indexOf(byte[] value, int from) {
        for (int i = from; i < value.length; i++) {
            if (value[i] == ':') {
                return i;
            }
        }
        throw new IllegalStateException("not a cached account");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

}
