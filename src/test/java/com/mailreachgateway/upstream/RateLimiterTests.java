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

    private final RateLimiter limiter = new RateLimiter(this.bucket, Duration.ofSeconds(1), new SimpleMeterRegistry());

    @Test
    void permitsAreSpacedByOneTenthOfASecondAtTenPerSecond() {
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(true);
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(false);
        assertThat(this.bucket.timeToNextToken()).isEqualTo(Duration.ofMillis(100));

        this.now.addAndGet(Duration.ofMillis(100).toNanos());

        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(true);
    }

    @Test
    void callThatWouldWaitLongerThanItsLimitFailsAtOnceAndTakesNothing() {
        this.limiter.acquire(Duration.ZERO).block(Duration.ofSeconds(1));

        assertThatThrownBy(() -> this.limiter.acquire(Duration.ofMillis(50)).block(Duration.ofSeconds(1)))
            .isInstanceOf(RateLimiter.NoPermitException.class);

        this.now.addAndGet(Duration.ofMillis(100).toNanos());
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(true);
    }

    @Test
    void callThatLeavesWhileWaitingLeavesItsTokenUnusedSoNoLaterCallSharesASlot() {
        this.limiter.acquire(Duration.ZERO).block(Duration.ofSeconds(1));
        // The next token is reserved for this call, 100 ms ahead (real time, for the scheduler).
        Disposable waiting = this.limiter.acquire(Duration.ofSeconds(1)).subscribe();
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(false);

        waiting.dispose();
        this.now.addAndGet(Duration.ofMillis(100).toNanos());
        // Given back, this token would start a call 100 ms after the first while the bucket also
        // starts one at 200 ms for whoever reserved next: the slot stays spent instead.
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(false);

        this.now.addAndGet(Duration.ofMillis(100).toNanos());
        assertThat(this.bucket.tryConsume(Duration.ZERO, null)).isCompletedWithValue(true);
    }

}
