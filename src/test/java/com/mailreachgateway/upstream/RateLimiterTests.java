package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The permit bucket on a virtual clock: spacing, bounded waits, tokens never given back, when a permit is spent. */
class RateLimiterTests {

    private final AtomicLong now = new AtomicLong();

    private final PermitBucket bucket = PermitBucket.local(10, this.now::get);

    /** A tenth of a second and a tenth of the arrival guard: 105 ms. */
    private static final Duration SPACING = PermitBucket.spacing(10);

    private final RateLimiter limiter = new RateLimiter(this.bucket, Duration.ofSeconds(1), new SimpleMeterRegistry(),
            this.now::get);

    @Test
    void permitsAreSpacedByATenthOfASecondPlusTheArrivalGuardAtTenPerSecond() {
        // Ten tokens span a second and the guard: a call reaching MailReach up to 50 ms after its
        // token still leaves at most ten calls in any one-second window there.
        assertThat(SPACING.multipliedBy(10)).isEqualTo(Duration.ofSeconds(1).plus(PermitBucket.ARRIVAL_GUARD));

        assertThat(take(Duration.ZERO)).isPresent();
        assertThat(take(Duration.ZERO)).isEmpty();
        assertThat(this.bucket.timeToNextToken()).isEqualTo(SPACING);

        this.now.addAndGet(SPACING.minusMillis(1).toNanos());
        assertThat(take(Duration.ZERO)).isEmpty();
        this.now.addAndGet(Duration.ofMillis(1).toNanos());

        assertThat(take(Duration.ZERO)).isPresent();
    }

    @Test
    void aPermitIsWrittenFromItsSlotWhileTheLastTenWritesLeaveRoomWithinOneSecondAndTheWay() {
        List<Permit> permits = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            permits.add(take(Duration.ofSeconds(2)).orElseThrow());
        }
        assertThat(permits.get(1).earliest() - permits.get(0).earliest()).isEqualTo(SPACING.toNanos());
        assertThat(permits.get(0).spend(permits.get(0).earliest() - 1)).as("before its slot").isFalse();
        // The first written 40 ms late (a busy event loop): still good, and counted where it was written.
        long late = permits.get(0).earliest() + Duration.ofMillis(40).toNanos();
        assertThat(permits.get(0).spend(late)).isTrue();
        for (int i = 1; i < 10; i++) {
            assertThat(permits.get(i).spend(permits.get(i).earliest())).as("permit %d on time", i).isTrue();
        }
        // On time, the eleventh would leave 1010 ms after the late first: with the way to MailReach
        // (25 ms), eleven calls could share a second there. It is spent unused; the next is good.
        assertThat(permits.get(10).spend(permits.get(10).earliest()))
            .as("1010 ms after the first of the last ten writes").isFalse();
        assertThat(permits.get(11).spend(permits.get(11).earliest())).isTrue();
    }

    @Test
    void aSharedBudgetsPermitMayBeWrittenOnlyInTheWriteWindowAfterItsSlot() {
        // Replicas do not see each other's writes: each request leaves within 25 ms of its slot.
        Permit permit = Permit.at(1_000_000, (now) -> true);
        assertThat(permit.spend(999_999)).isFalse();
        assertThat(permit.spend(1_000_000)).isTrue();
        assertThat(permit.spend(1_000_000 + Permit.WRITE_WINDOW.toNanos())).isTrue();
        assertThat(permit.spend(1_000_000 + Permit.WRITE_WINDOW.toNanos() + 1)).isFalse();
        // Eleven permits of a shared budget written as late and as early as each may be span more than a second.
        assertThat(SPACING.multipliedBy(10).minus(Permit.WRITE_WINDOW)).isGreaterThan(Duration.ofSeconds(1));
    }

    @Test
    void callThatWouldWaitLongerThanItsLimitFailsAtOnceAndTakesNothing() {
        this.limiter.acquire(Duration.ZERO).block(Duration.ofSeconds(1));

        assertThatThrownBy(() -> this.limiter.acquire(Duration.ofMillis(50)).block(Duration.ofSeconds(1)))
            .isInstanceOf(RateLimiter.NoPermitException.class);

        this.now.addAndGet(SPACING.toNanos());
        assertThat(take(Duration.ZERO)).isPresent();
    }

    @Test
    void callThatLeavesWhileWaitingLeavesItsTokenUnusedSoNoLaterCallSharesASlot() {
        this.limiter.acquire(Duration.ZERO).block(Duration.ofSeconds(1));
        // The next token is reserved for this call, 105 ms ahead (the hand-over waits in real time).
        Disposable waiting = this.limiter.acquire(Duration.ofSeconds(1)).subscribe();
        assertThat(take(Duration.ZERO)).isEmpty();

        waiting.dispose();
        this.now.addAndGet(SPACING.toNanos());
        // Given back, this token would start a call one spacing after the first while the bucket
        // also starts one at two spacings for whoever reserved next: the slot stays spent instead.
        assertThat(take(Duration.ZERO)).isEmpty();

        this.now.addAndGet(SPACING.toNanos());
        assertThat(take(Duration.ZERO)).isPresent();
    }

    private Optional<Permit> take(Duration maxWait) {
        return this.bucket.reserve(maxWait).join();
    }

}
