package com.mailreachgateway.redis;

import java.util.concurrent.CompletionException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.redisson.api.RLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets an account lock go without waiting for Redis, and reports an unlock Redis did not confirm
 * (timeout, lost connection, client stopped): counted in {@code gateway_redis_unlock_failures_total}
 * (by stage: {@code release} of a lock the update held, {@code cleanup} after a lock call that failed
 * or came too late, which Redis may have granted after all) and logged once, one WARN line without a
 * stack trace, since a lock held that way keeps its account on every replica until its lease ends.
 * An owner that no longer holds the lock (its lease ran out, or it never got it) has nothing to let
 * go: that is not a failure.
 */
final class LockReleases {

    private static final Logger logger = LoggerFactory.getLogger(LockReleases.class);

    private final Counter releaseFailures;

    private final Counter cleanupFailures;

    LockReleases(MeterRegistry registry) {
        this.releaseFailures = failures(registry, "release");
        this.cleanupFailures = failures(registry, "cleanup");
    }

    private static Counter failures(MeterRegistry registry, String stage) {
        return Counter.builder("gateway.redis.unlock.failures")
            .description("Account locks Redis did not confirm letting go; a held one keeps its account until its lease ends")
            .tag("stage", stage)
            .register(registry);
    }

    /** Lets go a lock the update held; never throws, never leaves an error unhandled. */
    void release(RLock lock, long owner) {
        unlock(lock, owner, true);
    }

    /** Lets go a lock whose call failed or came too late, in case Redis granted it after all. */
    void cleanUp(RLock lock, long owner) {
        unlock(lock, owner, false);
    }

    private void unlock(RLock lock, long owner, boolean held) {
        try {
            lock.unlockAsync(owner).whenComplete((ignored, error) -> {
                if (error != null) {
                    failed(lock, held, error);
                }
            });
        }
        catch (RuntimeException ex) {
            failed(lock, held, ex);
        }
    }

    private void failed(RLock lock, boolean held, Throwable error) {
        Throwable cause = (error instanceof CompletionException && error.getCause() != null) ? error.getCause() : error;
        if (cause instanceof IllegalMonitorStateException) {
            // Not (or no longer) this owner's: nothing was held, so nothing is left held.
            return;
        }
        if (held) {
            this.releaseFailures.increment();
            logger.warn("Lock {} not let go ({}): the account stays taken on every replica until its lease ends",
                    lock.getName(), cause.getClass().getSimpleName());
        }
        else {
            this.cleanupFailures.increment();
            logger.warn("Lock {} of an update that did not get it in time not let go ({}): if Redis granted it "
                    + "late, the account stays taken on every replica until its lease ends", lock.getName(),
                    cause.getClass().getSimpleName());
        }
    }

}
