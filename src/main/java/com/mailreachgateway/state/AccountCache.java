package com.mailreachgateway.state;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Accounts by id as MailReach returned them, over an {@link AccountStore} (this process, or Redis
 * shared by the replicas). Entries live for the longer of the TTL and {@code stale-if-error}:
 * within the TTL they are fresh, after it they are kept only to be served while MailReach fails.
 * Concurrent loads of one id in this process share a single upstream read, and a read never stores
 * an account older than one an update stored meanwhile (through any replica, with Redis).
 */
@Component
public class AccountCache {

    private static final Logger logger = LoggerFactory.getLogger(AccountCache.class);

    private final AccountStore store;

    private final ConcurrentMap<Integer, CompletableFuture<CachedAccount>> loading = new ConcurrentHashMap<>();

    private final CacheProperties properties;

    private final Clock clock;

    @Autowired
    public AccountCache(CacheProperties properties, AccountStore store, Clock clock) {
        this.properties = properties;
        this.store = store;
        this.clock = clock;
    }

    /** A cache in this process (tests). */
    public AccountCache(CacheProperties properties, MeterRegistry registry, Clock clock) {
        this(properties, new CaffeineAccountStore(properties, registry, clock), clock);
    }

    /** The cached copy, fresh or not. */
    public Mono<Optional<CachedAccount>> get(int id) {
        return this.store.get(id);
    }

    /** Whether a copy is within the TTL, and known to be right. */
    public boolean isFresh(CachedAccount account) {
        return !account.doubtful() && account.age(this.clock.instant()).compareTo(this.properties.ttl()) < 0;
    }

    /** Whether a copy may still be served while MailReach fails. */
    public boolean isUsableOnError(CachedAccount account) {
        return account.age(this.clock.instant()).compareTo(this.properties.staleIfError()) < 0;
    }

    /** Stores what MailReach returned now. */
    public Mono<CachedAccount> put(int id, byte[] json) {
        return this.store.put(id, json);
    }

    /**
     * Drops the copy, without waiting for it. The store takes charge of a drop it cannot do at once (the
     * shared store drops it before it serves from Redis again); a failure that still reaches here is
     * logged, never ignored.
     */
    public void evict(int id) {
        this.store.evict(id)
            .subscribe(null, (ex) -> logger.warn("Cached copy of account {} not dropped ({})", id, ex.toString()));
    }

    /** Age of a copy now. */
    public Duration age(CachedAccount account) {
        return account.age(this.clock.instant());
    }

    /**
     * Loads an account through {@code loader} and stores it; concurrent calls for the same id
     * while one load is running share its result. The shared load belongs to no caller: it runs
     * with the loader's own deadline and context, and each caller waits for it at most
     * {@code maxWait} (failing with {@link LoadTimeoutException}) or leaves, without cutting it short
     * for the others. A load that has finished is never handed to a later caller: its entry leaves
     * the map before its result is published.
     */
    public Mono<CachedAccount> load(int id, Supplier<Mono<byte[]>> loader, Duration maxWait) {
        return Mono.defer(() -> {
            CompletableFuture<CachedAccount> created = new CompletableFuture<>();
            CompletableFuture<CachedAccount> shared = this.loading.compute(id,
                    (key, running) -> (running != null && !running.isDone()) ? running : created);
            if (shared == created) {
                this.store.latestVersion()
                    .flatMap((versionAtStart) -> loader.get()
                        .flatMap((json) -> this.store.putRead(id, json, versionAtStart)))
                    .switchIfEmpty(Mono.error(() -> new IllegalStateException("empty answer")))
                    .subscribe((account) -> finish(id, created, account, null),
                            (error) -> finish(id, created, null, error));
            }
            // Each caller's own view of the load: it may time out or leave on its own, and a result
            // that comes after it left is simply not delivered (nothing is dropped with an error).
            Sinks.One<CachedAccount> mine = Sinks.one();
            shared.whenComplete((account, error) -> {
                if (error != null) {
                    mine.tryEmitError(error);
                }
                else {
                    mine.tryEmitValue(account);
                }
            });
            return mine.asMono().timeout(maxWait, Mono.error(LoadTimeoutException::new));
        });
    }

    private void finish(int id, CompletableFuture<CachedAccount> load, CachedAccount account, Throwable error) {
        this.loading.remove(id, load);
        if (error != null) {
            load.completeExceptionally(error);
        }
        else if (account != null) {
            load.complete(account);
        }
    }

}
