package com.mailreachgateway.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.mailreachgateway.state.AccountLock;
import com.mailreachgateway.state.LaneRefusedException;
import io.lettuce.core.SetArgs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The account's turn across replicas: Redisson's fair lock (FIFO among all replicas' updates) under
 * {@code <prefix>lock:<id>}, asked for when the update arrives, so turns follow arrival at the
 * gateway as a whole. Always {@code tryLock(wait)} with the wait bounded by the update's deadline,
 * never an unbounded lock. Each update is its own lock owner (Redisson's "thread id" is a number per
 * update here, since a reactive update hops threads).
 * <p>
 * The lease is short ({@code gateway.redis.lock-lease}) and renewed by Redisson's watchdog while the
 * holder lives, so a replica that dies frees its accounts within one lease. What a dead holder may
 * still have landing at MailReach is not forgotten with it: before each attempt is written, the
 * attempt's settle window is recorded under {@code <prefix>inflight:<id>} (an expiring key on Redis's
 * clock: when the attempt may still land), shortened to the real window once the attempt ended and
 * deleted when it was answered. The next holder, on any replica, waits that key out before its own
 * update goes. While Redis is unreachable the local lanes alone order updates ({@code local-share}),
 * or updates are refused ({@code refuse}).
 */
final class RedisAccountLock implements AccountLock {

    private static final Logger logger = LoggerFactory.getLogger(RedisAccountLock.class);

    private final RedissonClient redisson;

    private final SharedRedis redis;

    private final AtomicLong owners = new AtomicLong();

    private final Timer waits;

    private final Counter unlockFailures;

    private final AtomicBoolean failing = new AtomicBoolean();

    RedisAccountLock(RedissonClient redisson, SharedRedis redis, MeterRegistry registry) {
        this.redisson = redisson;
        this.redis = redis;
        this.waits = Timer.builder("gateway.redis.lock.wait")
            .description("Time updates waited for their account's turn across replicas")
            .publishPercentileHistogram()
            .register(registry);
        this.unlockFailures = Counter.builder("gateway.redis.lock.unlock.failures")
            .description("Account locks that could not be let go (Redis failing): the lease frees them")
            .register(registry);
    }

    @Override
    public Mono<Held> acquire(int accountId, Duration wait) {
        return Mono.defer(() -> {
            if (!this.redis.shared()) {
                return offShared();
            }
            RLock lock = this.redisson.getFairLock(this.redis.key("lock:" + accountId));
            long owner = this.owners.incrementAndGet();
            long start = System.nanoTime();
            Shared held = new Shared(lock, owner, inFlightKey(accountId));
            // A lease of -1: Redisson's watchdog keeps the lock for gateway.redis.lock-lease and renews it
            // while this replica lives.
            CompletableFuture<Boolean> request = lock
                .tryLockAsync(wait.toMillis(), -1, TimeUnit.MILLISECONDS, owner)
                .toCompletableFuture();
            // Completes with the error as a value, never exceptionally: a request that fails after this update
            // stopped waiting for it has nobody to tell, and is not an error to report twice.
            CompletableFuture<Object> answer = request.handle((granted, ex) -> (ex != null) ? ex : granted);
            return Mono.fromFuture(answer, true)
                .flatMap((result) -> (result instanceof Throwable ex) ? Mono.error(ex) : Mono.just((Boolean) result))
                // Redisson answers within the wait plus a command; a Redis that stops answering must not hold
                // the update past it.
                .timeout(wait.plus(this.redis.timeout()))
                // A lock granted after this update stopped waiting (timed out, caller gone) is let go at once:
                // the watchdog would otherwise keep renewing it for nobody.
                .doOnError(TimeoutException.class, (ex) -> abandon(request, held))
                .publishOn(Schedulers.parallel())
                .flatMap((granted) -> {
                    if (!granted) {
                        this.waits.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                        return Mono.<Held>error(LaneRefusedException.turnNotInTime());
                    }
                    lockAnswers();
                    return settled(held, wait.minusNanos(System.nanoTime() - start))
                        .doOnSuccess((ready) -> this.waits.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
                })
                .onErrorResume((ex) -> !(ex instanceof LaneRefusedException)
                        && !(ex instanceof SharedStateUnavailableException), (ex) -> {
                    held.release();
                    if (ex instanceof TimeoutException && this.redis.shared()) {
                        // Redis answers but the turn did not come within the wait plus a command.
                        return Mono.error(LaneRefusedException.turnNotInTime());
                    }
                    // The lock's own connections failed (Redisson reconnects on its own, a little after
                    // the bucket's connection): this update goes on as in fallback, the rest stays shared.
                    lockFails(ex);
                    return offShared();
                })
                .doOnNext((ready) -> held.handedOver.set(true))
                // The update stopped waiting before the account was handed over (its caller left): a lock granted
                // then, or later, is let go. Once handed over, its holder lets it go.
                .doOnCancel(() -> {
                    if (!held.handedOver.get()) {
                        abandon(request, held);
                    }
                });
        });
    }

    private static void abandon(CompletableFuture<Boolean> request, Shared held) {
        request.whenComplete((granted, ex) -> {
            if (Boolean.TRUE.equals(granted)) {
                held.release();
            }
        });
    }

    /**
     * The account is this update's: waits out an attempt an earlier holder left that may still land
     * (the in-flight key's time to live), if that fits in {@code left}; else lets the account go and
     * refuses, saying how long the account stays busy.
     */
    private Mono<Held> settled(Shared held, Duration left) {
        return this.redis.<Long>command((redis) -> redis.pttl(held.inFlightKey).toCompletableFuture())
            .onErrorResume((ex) -> Mono.just(-2L))
            .flatMap((ttl) -> {
                if (ttl <= 0) {
                    return Mono.<Held>just(held);
                }
                Duration settle = Duration.ofMillis(ttl);
                if (settle.compareTo(left) > 0) {
                    held.release();
                    return Mono.error(LaneRefusedException.busyFor(settle));
                }
                return Mono.delay(settle).thenReturn(held);
            });
    }

    private byte[] inFlightKey(int accountId) {
        return this.redis.key("inflight:" + accountId).getBytes(StandardCharsets.UTF_8);
    }

    private void lockFails(Throwable ex) {
        if (this.failing.compareAndSet(false, true)) {
            logger.warn("Account locks unavailable ({}): updates are ordered by this replica's lanes only ({})",
                    ex.getClass().getSimpleName(), this.redis.onFailure() == SharedStateProperties.OnFailure.REFUSE
                            ? "or refused with 503 shared-state-unavailable" : "local-share");
        }
    }

    private void lockAnswers() {
        if (this.failing.compareAndSet(true, false)) {
            logger.warn("Account locks available again: updates are ordered across replicas");
        }
    }

    private Mono<Held> offShared() {
        if (this.redis.onFailure() == SharedStateProperties.OnFailure.REFUSE) {
            return Mono.error(new SharedStateUnavailableException(this.redis.probeInterval()));
        }
        return Mono.just(Held.NONE);
    }

    /** An account held through Redis by one update. */
    private final class Shared implements Held {

        private final RLock lock;

        private final long owner;

        private final byte[] inFlightKey;

        private final AtomicBoolean released = new AtomicBoolean();

        /** Whether the update has the account (then it, not the acquisition, lets it go). */
        final AtomicBoolean handedOver = new AtomicBoolean();

        Shared(RLock lock, long owner, byte[] inFlightKey) {
            this.lock = lock;
            this.owner = owner;
            this.inFlightKey = inFlightKey;
        }

        @Override
        public Mono<Void> attemptStarting(Duration landsWithin) {
            SetArgs expiry = SetArgs.Builder.px(Math.max(1, landsWithin.toMillis()));
            return RedisAccountLock.this.redis
                .<String>command((redis) -> redis.set(this.inFlightKey, ONE, expiry).toCompletableFuture())
                .then()
                // Not recorded: with local-share the attempt goes as in fallback (this replica's lanes hold
                // its settle window); with refuse it does not go.
                .onErrorResume((ex) -> offShared().then());
        }

        @Override
        public void attemptEnded(long settleUntilNanos) {
            long left = TimeUnit.NANOSECONDS.toMillis(settleUntilNanos - System.nanoTime());
            SharedRedis redis = RedisAccountLock.this.redis;
            Mono<?> update = (settleUntilNanos == 0 || left <= 0)
                    ? redis.<Long>command((commands) -> commands.del(this.inFlightKey).toCompletableFuture())
                    : redis.<String>command((commands) -> commands
                        .set(this.inFlightKey, ONE, SetArgs.Builder.px(left))
                        .toCompletableFuture());
            // A record left as it was only keeps the account a little longer (until the attempt's latest
            // possible landing), never shorter; the failure itself puts the replica in fallback.
            update.subscribe(null, (ex) -> {
            });
        }

        @Override
        public void release() {
            if (!this.released.compareAndSet(false, true)) {
                return;
            }
            this.lock.unlockAsync(this.owner).whenComplete((done, ex) -> {
                if (ex != null && !hasCause(ex, IllegalMonitorStateException.class)) {
                    // The lease (renewed no more) frees it: the next update waits at most that long.
                    RedisAccountLock.this.unlockFailures.increment();
                }
            });
        }

    }

    private static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static final byte[] ONE = "1".getBytes(StandardCharsets.UTF_8);

}
