package com.mailreachgateway.redis;

import com.mailreachgateway.system.Ticker;

/**
 * Where Redis's clock stands against this process's {@link Ticker}, from round trips: an
 * answer stamped {@code r} by Redis, to a command sent at {@code sent} and answered at {@code answered}
 * here, says that Redis's instant {@code r} was between {@code sent} and {@code answered} here. The
 * tightest bounds seen are kept (widened by a drift allowance as they age), so a slow round trip does
 * not blur them. The budget's slots are Redis instants; a permit is written no earlier than the latest
 * local instant its slot may be, and no later than the earliest one plus its write window.
 */
final class RedisClock {

    /**
     * The lines every Lua script of the shared state that reads the time starts with: Redis's own clock
     * as {@code us} (microseconds) and {@code now} (milliseconds), so replicas' clocks never matter
     * (replicated as effects, since the script writes after reading the time).
     */
    static final String LUA_NOW = "redis.replicate_commands() local t = redis.call('TIME') "
            + "local us = tonumber(t[1]) * 1000000 + tonumber(t[2]) local now = math.floor(us / 1000) ";

    /** How far two clocks may drift apart per unit of time: 100 µs a second, far beyond NTP's slew. */
    private static final double DRIFT = 1e-4;

    /** Bounds of (local nanos - Redis nanos); guarded by {@code this}. */
    private long low;

    private long high;

    /** When the bounds were last narrowed (local nanos). */
    private long at;

    private boolean known;

    private final Ticker ticker;

    RedisClock(Ticker ticker) {
        this.ticker = ticker;
    }

    /** Takes one round trip: sent and answered in local nanos, Redis's stamp in microseconds. */
    synchronized void sample(long sent, long answered, long redisMicros) {
        long redis = redisMicros * 1000;
        long lo = sent - redis;
        long hi = answered - redis;
        if (this.known) {
            long widen = widening(answered);
            long narrowedLow = Math.max(this.low - widen, lo);
            long narrowedHigh = Math.min(this.high + widen, hi);
            if (narrowedLow <= narrowedHigh) {
                this.low = narrowedLow;
                this.high = narrowedHigh;
                this.at = answered;
                return;
            }
            // Bounds that no longer overlap: a clock was set; start again from this round trip.
        }
        this.low = lo;
        this.high = hi;
        this.at = answered;
        this.known = true;
    }

    /** The latest local instant Redis's instant {@code redisMicros} may be (call after a sample). */
    synchronized long latestLocal(long redisMicros) {
        return redisMicros * 1000 + this.high + widening(this.ticker.read());
    }

    /** The earliest local instant Redis's instant {@code redisMicros} may be (call after a sample). */
    synchronized long earliestLocal(long redisMicros) {
        return redisMicros * 1000 + this.low - widening(this.ticker.read());
    }

    private long widening(long now) {
        return (long) (Math.max(0, now - this.at) * DRIFT);
    }

}
