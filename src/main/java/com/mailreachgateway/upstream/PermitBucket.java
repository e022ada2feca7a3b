package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.mailreachgateway.system.Ticker;

/**
 * The tokens behind the MailReach rate limit: one token at a time, one every
 * {@code (1 s + }{@link #ARRIVAL_GUARD}{@code ) / requests-per-second} ({@link #spacing}), each a
 * {@link Permit} for its slot, checked again when its request is written. In this process, the writes
 * themselves are counted ({@link WrittenCalls}): at most {@code requests-per-second} in any
 * {@code 1 s + 25 ms}. Shared between replicas, where no replica sees the others' writes, a request is
 * written only within {@link Permit#WRITE_WINDOW} after its slot, so any {@code rps + 1} requests leave
 * at least {@code rps × spacing - WRITE_WINDOW = 1 s + 25 ms} apart. Either way the other 25 ms of the
 * guard cover the way to MailReach: at most {@code requests-per-second} calls reach it in any one-second
 * window, however late an event loop runs. A token reserved and then not used is not given back (see
 * {@link PermitSlots}).
 */
public interface PermitBucket {

    /**
     * What the token spacing leaves for a request to be written late and travel to MailReach without
     * an extra call landing in one of MailReach's one-second windows: tokens exactly {@code 1 s / rps}
     * apart would leave nothing. Half of it is the {@link Permit#WRITE_WINDOW}. Costs 5 % of the rate.
     */
    Duration ARRIVAL_GUARD = Duration.ofMillis(50);

    /** How late a permit of a replica's own bucket may be written: its writes are counted instead. */
    long UNBOUNDED = TimeUnit.DAYS.toNanos(1);

    /** The time between two tokens at {@code requestsPerSecond}, the arrival guard included. */
    static Duration spacing(int requestsPerSecond) {
        return Duration.ofNanos((TimeUnit.SECONDS.toNanos(1) + ARRIVAL_GUARD.toNanos()) / requestsPerSecond);
    }

    /**
     * Reserves the next token if its slot comes within {@code maxWait}: completes with its permit
     * (whose slot may still be ahead), or empty when it would come later (nothing reserved).
     */
    CompletableFuture<Optional<Permit>> reserve(Duration maxWait);

    /** How long until a token is free, for {@code Retry-After}. */
    Duration timeToNextToken();

    /** A bucket in this process, on the given ticker (tests pass a virtual one). */
    static PermitBucket local(int requestsPerSecond, Ticker clock) {
        PermitSlots slots = new PermitSlots(spacing(requestsPerSecond), clock.read());
        // Alone, a replica sees every write: it counts them instead of bounding each by its slot.
        WrittenCalls written = new WrittenCalls(requestsPerSecond);
        return new PermitBucket() {

            @Override
            public CompletableFuture<Optional<Permit>> reserve(Duration maxWait) {
                long now = clock.read();
                OptionalLong slot = slots.take(now, Math.max(0, maxWait.toNanos()), now);
                return CompletableFuture.completedFuture(slot.isPresent()
                        ? Optional.of(new Permit(slot.getAsLong(), slot.getAsLong() + UNBOUNDED, written))
                        : Optional.empty());
            }

            @Override
            public Duration timeToNextToken() {
                long now = clock.read();
                return slots.untilFree(now, now);
            }

        };
    }

}
