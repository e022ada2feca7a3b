package com.mailreachgateway.upstream;

import java.time.Duration;

import com.mailreachgateway.system.Ticker;

/**
 * The moment by which a caller must have its answer. One deadline covers everything done for
 * one request: the account read a rule needs, the update, their permits, attempts and backoffs.
 *
 * @param atNanos the deadline on {@code ticker}
 * @param ticker the gateway's monotonic time
 */
public record Deadline(long atNanos, Ticker ticker) {

    /** A deadline {@code duration} from now. */
    public static Deadline after(Duration duration, Ticker ticker) {
        return new Deadline(ticker.read() + duration.toNanos(), ticker);
    }

    /** Time left, never negative. */
    public Duration remaining() {
        long left = this.atNanos - this.ticker.read();
        return (left > 0) ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** Whether something that starts after {@code wait} still starts before the deadline. */
    public boolean fits(Duration wait) {
        return this.ticker.read() + wait.toNanos() < this.atNanos;
    }

}
