package com.mailreachgateway.state;

import java.time.Duration;

/**
 * Thrown when a lane did not run an update: its queue was full, or its turn did not come in the
 * time the caller had. Either way the work never started.
 */
public final class LaneRefusedException extends RuntimeException {

    private final boolean full;

    private final Duration busyFor;

    LaneRefusedException(boolean full, Duration busyFor) {
        super(full ? "lane full" : "turn did not come in time", null, false, false);
        this.full = full;
        this.busyFor = busyFor;
    }

    /** The account's turn did not come in time (here, or behind another replica's update). */
    public static LaneRefusedException turnNotInTime() {
        return new LaneRefusedException(false, Duration.ZERO);
    }

    /**
     * The account's turn came, but an attempt of an earlier update may still land at MailReach for
     * longer than the caller can wait.
     */
    public static LaneRefusedException busyFor(Duration settling) {
        return new LaneRefusedException(false, settling);
    }

    /** Whether the queue was full (else the wait ran out). */
    public boolean full() {
        return this.full;
    }

    /** How long the lane is known to stay busy (a settle hold), zero when unknown. */
    public Duration busyFor() {
        return this.busyFor;
    }

}
