package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.mailreachgateway.state.AccountLock;
import com.mailreachgateway.state.LaneRefusedException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.redisson.api.RLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.redisson.api.RedissonClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The account's turn across replicas: Redisson's fair lock (FIFO among replicas) under
 * {@code <prefix>lock:<id>}, always {@code tryLock(wait, lease)} with both bounded by the update's
 * deadline, never an unbounded lock. Each update is its own lock owner (Redisson's "thread id" is a
 * number per update here, since a reactive update hops threads). Released when the update ends, or
 * at the end of its settle window; a holder that dies frees the account when its lease ends. While
 * Redis is unreachable the local lanes alone order updates ({@code local-share}), or updates are
 * refused ({@code refuse}).
 */
final class RedisAccountLock implements AccountLock {

    private static final Logger logger = LoggerFactory.getLogger(RedisAccountLock.class);

    private final RedissonClient redisson;

    private final SharedRedis redis;

    private final AtomicLong owners = new AtomicLong();

    private final Timer waits;

    private final AtomicBoolean failing = new AtomicBoolean();

    private final LockReleases releases;

    RedisAccountLock(RedissonClient redisson, SharedRedis redis, MeterRegistry registry) {
        this.redisson = redisson;
        this.redis = redis;
        this.waits = Timer.builder("gateway.redis.lock.wait")
            .description("Time updates waited for their account's turn across replicas")
            .publishPercentileHistogram()
            .register(registry);
        this.releases = new LockReleases(registry);
    }

    @Override
    public Mono<Held> acquire(int accountId, Duration wait, Duration lease) {
        return Mono.defer(() -> {
            if (!this.redis.shared()) {
                return offShared();
            }
            RLock lock = this.redisson.getFairLock(this.redis.key("lock:" + accountId));
            long owner = this.owners.incrementAndGet();
            long start = System.nanoTime();
            return Mono.fromCompletionStage(() -> lock.tryLockAsync(wait.toMillis(), lease.toMillis(),
                    TimeUnit.MILLISECONDS, owner))
                // Redisson answers within the wait plus a command; a Redis that stops answering must not hold
                // the update past it.
                .timeout(wait.plus(this.redis.timeout()))
                .publishOn(Schedulers.parallel())
                .flatMap((granted) -> {
                    this.waits.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    if (!granted) {
                        return Mono.<Held>error(LaneRefusedException.turnNotInTime());
                    }
                    return Mono.<Held>just((untilNanos) -> release(lock, owner, untilNanos));
                })
                .doOnSuccess((held) -> lockAnswers())
                .onErrorResume((ex) -> !(ex instanceof LaneRefusedException), (ex) -> {
                    // Got the lock too late, or not at all: make sure it is not left held until its lease.
                    this.releases.cleanUp(lock, owner);
                    if (ex instanceof TimeoutException && this.redis.shared()) {
                        // Redis answers but the turn did not come within the wait plus a command.
                        return Mono.error(LaneRefusedException.turnNotInTime());
                    }
                    // The lock's own connections failed (Redisson reconnects on its own, a little after
                    // the bucket's connection): this update goes on as in fallback, the rest stays shared.
                    lockFails(ex);
                    return offShared();
                });
        });
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
        return AccountLock.none().acquire(0, Duration.ZERO, Duration.ZERO);
    }

    private void release(RLock lock, long owner, long untilNanos) {
        long left = untilNanos - System.nanoTime();
        if (left <= 0) {
            this.releases.release(lock, owner);
            return;
        }
        Mono.delay(Duration.ofNanos(left)).subscribe((tick) -> this.releases.release(lock, owner));
    }

}
