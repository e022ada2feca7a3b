package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Slots for calls, one token at a time, at least {@code spacing} apart (a single-token bucket, kept
 * as the time of the next free slot: GCRA). A slot is taken only if it comes within the caller's wait,
 * and a slot taken is never given back: by then later callers may hold the following slots, and a slot
 * given back would put two calls on one. Times are {@link com.mailreachgateway.system.Ticker} values, passed in, so a
 * test drives it on a virtual clock.
 */
public final class PermitSlots {

    private final long spacing;

    /** The next free slot; guarded by {@code this}. */
    private long next;

    /** Slots {@code spacing} apart, the first free at {@code now}. */
    public PermitSlots(Duration spacing, long now) {
        this.spacing = spacing.toNanos();
        this.next = now;
    }

    /**
     * Takes the next free slot if it comes no later than {@code now + maxWait}, and not before
     * {@code notBefore}; empty at once (nothing taken) when it would come later.
     */
    public synchronized OptionalLong take(long now, long maxWaitNanos, long notBefore) {
        long slot = free(now, notBefore);
        if (slot - now > maxWaitNanos) {
            return OptionalLong.empty();
        }
        this.next = slot + this.spacing;
        return OptionalLong.of(slot);
    }

    /** How long from {@code now} until a slot is free, not before {@code notBefore}. */
    public synchronized Duration untilFree(long now, long notBefore) {
        return Duration.ofNanos(free(now, notBefore) - now);
    }

    private long free(long now, long notBefore) {
        long slot = (this.next - now > 0) ? this.next : now;
        return (notBefore - slot > 0) ? notBefore : slot;
    }

}
