package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The permit bucket on a virtual clock: spacing, bounded waits, and tokens never given back. */
class RateLimiterTests {

    private final AtomicLong now = new AtomicLong();

    private final TimeMeter clock = new TimeMeter() {

        @Override
        public long currentTimeNanos() {
            return RateLimiterTests.this.now.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }

    };

    private final PermitBucket bucket = PermitBucket.local(10, this.clock);

    /** A tenth of a second and a tenth of the arrival guard: 105 ms. */
    private static final Duration SPACING = PermitBucket.spacing(10);

    private final RateLimiter limiter = new RateLimiter(this.bucket, Duration.ofSeconds(1), new SimpleMeterRegistry());

    @Test
    void permitsAreSpacedByATenthOfASecondPlusTheArrivalGuardAtTenPerSecond() {
        // Ten tokens span a second and the guard: a call reaching MailReach up to 50 ms after its
        // token still leaves at most ten calls in any one-second window there.
        assertThat(SPACING.multipliedBy(10)).isEqualTo(Duration.ofSeconds(1).plus(PermitBucket.ARRIVAL_GUARD));

        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(true);
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(false);
        assertThat(this.bucket.timeToNextToken()).isEqualTo(SPACING);

        this.now.addAndGet(SPACING.minusMillis(1).toNanos());
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(false);
        this.now.addAndGet(Duration.ofMillis(1).toNanos());

        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(true);
    }

    @Test
    void callThatWouldWaitLongerThanItsLimitFailsAtOnceAndTakesNothing() {
        this.limiter.acquire(Duration.ZERO).block(Duration.ofSeconds(1));

        assertThatThrownBy(() -> this.limiter.acquire(Duration.ofMillis(50)).block(Duration.ofSeconds(1)))
            .isInstanceOf(RateLimiter.NoPermitException.class);

        this.now.addAndGet(SPACING.toNanos());
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(true);
    }

    @Test
    void callThatLeavesWhileWaitingLeavesItsTokenUnusedSoNoLaterCallSharesASlot() {
        this.limiter.acquire(Duration.ZERO).block(Duration.ofSeconds(1));
        // The next token is reserved for this call, 105 ms ahead (real time, for the scheduler).
        Disposable waiting = this.limiter.acquire(Duration.ofSeconds(1)).subscribe();
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(false);

        waiting.dispose();
        this.now.addAndGet(SPACING.toNanos());
        // Given back, this token would start a call one spacing after the first while the bucket
        // also starts one at two spacings for whoever reserved next: the slot stays spent instead.
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(false);

        this.now.addAndGet(SPACING.toNanos());
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(true);
    }

}
