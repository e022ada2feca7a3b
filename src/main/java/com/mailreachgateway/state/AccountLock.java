package com.mailreachgateway.state;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * One update per account at a time across replicas, behind each replica's own lanes: the lanes
 * order a replica's updates, this lock orders the replicas (first come, first served). A holder
 * that dies frees the account when its lease ends. In one process there is nothing to lock.
 */
public interface AccountLock {

    /**
     * Takes the account within {@code wait}, for at most {@code lease}; fails with
     * {@link LaneRefusedException} when the turn does not come in time (nothing ran then).
     */
    Mono<Held> acquire(int accountId, Duration wait, Duration lease);

    /** No lock: a single replica's lanes are the order. */
    static AccountLock none() {
        return (accountId, wait, lease) -> Mono.just((untilNanos) -> {
        });
    }

    /** A held account. */
    @FunctionalInterface
    interface Held {

        /**
         * Lets the account go at {@code untilNanos} ({@link System#nanoTime()}), at once when that has
         * passed: the settle window of an attempt that got no answer holds it on every replica.
         */
        void releaseAt(long untilNanos);

    }

}
