package com.mailreachgateway.state;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import reactor.core.publisher.Mono;

/**
 * Accounts in this process, for {@code max(ttl, stale-if-error)} after their write (metrics as
 * {@code cache="accounts"}). Also the fallback of the shared store while Redis is unreachable.
 */
public final class CaffeineAccountStore implements AccountStore {

    private final Cache<Integer, CachedAccount> cache;

    private final AtomicLong versions = new AtomicLong();

    private final Clock clock;

    public CaffeineAccountStore(CacheProperties properties, MeterRegistry registry, Clock clock) {
        this.clock = clock;
        Duration keep = properties.retention();
        this.cache = Caffeine.newBuilder()
            .maximumSize(properties.maxEntries())
            .expireAfterWrite(keep)
            .recordStats()
            // Eviction and expiry upkeep on the writing thread: a few entries at a time, cheaper than
            // handing a task to the common pool (a thread wake-up) after every update.
            .executor(Runnable::run)
            .build();
        CaffeineCacheMetrics.monitor(registry, this.cache, "accounts");
    }

    /** The copy, at once. */
    public Optional<CachedAccount> getNow(int id) {
        return Optional.ofNullable(this.cache.getIfPresent(id));
    }

    /** Stores a write, at once. */
    public CachedAccount putNow(int id, byte[] json) {
        CachedAccount account = new CachedAccount(json, this.clock.instant(), this.versions.incrementAndGet());
        this.cache.put(id, account);
        return account;
    }

    /**
     * Keeps a copy found in the shared store (with the time it was stored there), so that this
     * replica can still answer from it while Redis is unreachable; the same copy is not stored twice.
     */
    public void mirrorNow(int id, CachedAccount shared) {
        this.cache.asMap()
            .compute(id, (key, existing) -> (existing != null && existing.storedAt().equals(shared.storedAt())
                    && Arrays.equals(existing.json(), shared.json())) ? existing
                            : new CachedAccount(shared.json(), shared.storedAt(), this.versions.incrementAndGet()));
    }

    public long latestVersionNow() {
        return this.versions.get();
    }

    /** Stores a read at once, unless a newer write is there. */
    public CachedAccount putReadNow(int id, byte[] json, long versionAtStart) {
        return this.cache.asMap()
            .compute(id, (key, existing) -> (existing != null && existing.version() > versionAtStart) ? existing
                    : new CachedAccount(json, this.clock.instant(), this.versions.incrementAndGet()));
    }

    public void evictNow(int id) {
        this.cache.invalidate(id);
    }

    @Override
    public Mono<Optional<CachedAccount>> get(int id) {
        return Mono.fromSupplier(() -> getNow(id));
    }

    @Override
    public Mono<CachedAccount> put(int id, byte[] json) {
        return Mono.fromSupplier(() -> putNow(id, json));
    }

    @Override
    public Mono<ReadStart> latestVersion() {
        return Mono.fromSupplier(() -> new ReadStart(latestVersionNow(), latestVersionNow()));
    }

    @Override
    public Mono<CachedAccount> putRead(int id, byte[] json, ReadStart versionAtStart) {
        return Mono.fromSupplier(() -> putReadNow(id, json, versionAtStart.version()));
    }

    @Override
    public Mono<Void> evict(int id) {
        return Mono.fromRunnable(() -> evictNow(id));
    }

}
