package com.mailreachgateway.state;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * One update per account at a time across replicas, taken when the update arrives (before this
 * replica's lane), so the account's updates get their turns in the order they reached the gateway
 * as a whole, whichever replica took them. The lanes order a replica's updates while the lock is
 * not in use (one process, or Redis unreachable). A holder that dies frees the account after a short
 * lease it renews while it lives; an attempt it left unanswered keeps the account until that
 * attempt's settle window ends (see {@link Held#attemptStarting}). In one process there is nothing to
 * lock.
 */
public interface AccountLock {

    /**
     * Takes the account within {@code wait}, then waits out what an earlier holder may still have
     * landing at MailReach (within the same {@code wait}). Fails with {@link LaneRefusedException} when
     * the turn does not come in time (nothing ran then).
     */
    Mono<Held> acquire(int accountId, Duration wait);

    /** No lock: a single replica's lanes are the order. */
    static AccountLock none() {
        return (accountId, wait) -> Mono.just(Held.NONE);
    }

    /** A held account. */
    interface Held {

        /** Nothing held. */
        Held NONE = new Held() {

            @Override
            public Mono<Void> attemptStarting(Duration landsWithin) {
                return Mono.empty();
            }

            @Override
            public void attemptEnded(long settleUntilNanos) {
            }

            @Override
            public void release() {
            }

        };

        /**
         * An attempt at MailReach is about to be written and may land within {@code landsWithin}: recorded
         * where the next holder looks (on any replica), before the attempt goes, so that a holder that dies
         * mid-attempt still keeps the account until the attempt can no longer land. Completes once
         * recorded; a record that cannot be made follows the replica's policy for Redis failures.
         */
        Mono<Void> attemptStarting(Duration landsWithin);

        /**
         * The attempt ended: {@code settleUntilNanos} (on the gateway's {@code Ticker}) is the end of the settle
         * window of an attempt of this update that got no answer, 0 when every attempt was answered.
         */
        void attemptEnded(long settleUntilNanos);

        /** Lets the account go, at once (a settle window is kept by {@link #attemptEnded}). Idempotent. */
        void release();

    }

}
