package com.mailreachgateway.system;

/**
 * Monotonic time in nanoseconds, the gateway's source for everything measured as a duration
 * (deadlines, lane holds, settle windows, the key's pause). Injected, so that a test moves it by hand
 * instead of sleeping. Our own one-method type rather than Caffeine's or Guava's, so that only
 * {@code state} imports the cache library (it adapts this with {@code ticker::read}).
 */
@FunctionalInterface
public interface Ticker {

    /** The real one: {@link System#nanoTime()}. */
    Ticker SYSTEM = System::nanoTime;

    /** Now, in nanoseconds from an arbitrary origin; only differences mean anything. */
    long read();

}
