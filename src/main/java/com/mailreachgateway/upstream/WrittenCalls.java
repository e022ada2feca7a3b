package com.mailreachgateway.upstream;

import java.time.Duration;

/**
 * The instants this replica's last {@code requests-per-second} requests were written, for a budget no
 * other replica shares: a request may be written only if it leaves every window of
 * {@code 1 s + (ARRIVAL_GUARD - WRITE_WINDOW)} with at most {@code requests-per-second} writes, so
 * MailReach sees at most that many in any second, the way to it included. This counts the writes
 * themselves, so a request that leaves a little after its slot (a busy event loop) is written as long
 * as the writes before it allow, and its permit is not lost.
 */
final class WrittenCalls implements Permit.Source {

    private final long window;

    /** The last writes, oldest at {@code next} once full; guarded by {@code this}. */
    private final long[] writes;

    private int next;

    private int count;

    WrittenCalls(int requestsPerSecond) {
        this.window = Duration.ofSeconds(1).plus(PermitBucket.ARRIVAL_GUARD).minus(Permit.WRITE_WINDOW).toNanos();
        this.writes = new long[requestsPerSecond];
    }

    /** Counts a write at {@code now} if the last {@code requests-per-second} writes leave room for it. */
    @Override
    public synchronized boolean admits(long now) {
        if (this.count == this.writes.length && now - this.writes[this.next] < this.window) {
            return false;
        }
        this.writes[this.next] = now;
        this.next = (this.next + 1) % this.writes.length;
        this.count = Math.min(this.count + 1, this.writes.length);
        return true;
    }

}
