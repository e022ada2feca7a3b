package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;

/**
 * The tokens behind the MailReach rate limit: one token, refilled every
 * {@code (1 s + }{@link #ARRIVAL_GUARD}{@code ) / requests-per-second} ({@link #spacing}), so at most
 * {@code requests-per-second} calls reach MailReach in any one-second window even when some reach it
 * later than their token started them. A token reserved and then not used is not given back: by then later callers
 * may hold the following tokens, and the one given back would let the next caller share a slot
 * with one of them. One implementation is a Bucket4j bucket in this process; with
 * replicas, a Bucket4j bucket shared through Redis.
 */
public interface PermitBucket {

    /**
     * How much later than its token a call may reach MailReach without an extra call landing in one
     * of MailReach's one-second windows: tokens exactly {@code 1 s / rps} apart let a call that is a
     * few milliseconds late (a connection taken from the pool, a busy event loop, the network) join
     * the window of the {@code rps} calls after it. Costs 5 % of the budget's rate.
     */
    Duration ARRIVAL_GUARD = Duration.ofMillis(50);

    /** The time between two tokens at {@code requestsPerSecond}, the arrival guard included. */
    static Duration spacing(int requestsPerSecond) {
        return Duration.ofNanos((TimeUnit.SECONDS.toNanos(1) + ARRIVAL_GUARD.toNanos()) / requestsPerSecond);
    }

    /**
     * Reserves the next token if it comes within {@code maxWait}; completes {@code true} when it is
     * this caller's, {@code false} when it would come later.
     */
    CompletableFuture<Boolean> tryConsume(Duration maxWait, ScheduledExecutorService scheduler);

    /** How long until a token is free, for {@code Retry-After}. */
    Duration timeToNextToken();

    /** A bucket in this process, on the given clock (tests pass a virtual one). */
    static PermitBucket local(int requestsPerSecond, TimeMeter clock) {
        Duration period = spacing(requestsPerSecond);
        Bucket bucket = Bucket.builder()
            .addLimit((limit) -> limit.capacity(1).refillGreedy(1, period))
            .withCustomTimePrecision(clock)
            .build();
        return new PermitBucket() {

            @Override
            public CompletableFuture<Boolean> tryConsume(Duration maxWait, ScheduledExecutorService scheduler) {
                // Bucket4j wants a positive wait; no wait at all is a plain try.
                return (maxWait.isZero() || maxWait.isNegative()) ? CompletableFuture.completedFuture(bucket.tryConsume(1))
                        : bucket.asScheduler().tryConsume(1, maxWait, scheduler);
            }

            @Override
            public Duration timeToNextToken() {
                return Duration.ofNanos(bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill());
            }

        };
    }

}
