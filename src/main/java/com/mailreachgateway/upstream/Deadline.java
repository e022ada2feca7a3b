package com.mailreachgateway.upstream;

import java.time.Duration;

/**
 * The moment by which a caller must have its answer. One deadline covers everything done for
 * one request: the account read a rule needs, the update, their permits, attempts and backoffs.
 *
 * @param atNanos the deadline on the {@link System#nanoTime()} clock
 */
public record Deadline(long atNanos) {

    /** A deadline {@code duration} from now. */
    public static Deadline after(Duration duration) {
        return new Deadline(System.nanoTime() + duration.toNanos());
    }

    /** Time left, never negative. */
    public Duration remaining() {
        long left = this.atNanos - System.nanoTime();
        return (left > 0) ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** Whether something that starts after {@code wait} still starts before the deadline. */
    public boolean fits(Duration wait) {
        return System.nanoTime() + wait.toNanos() < this.atNanos;
    }

}
