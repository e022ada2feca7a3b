package com.mailreachgateway.system;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Fallback;

/**
 * The gateway's two sources of time, injected wherever time is read so that tests can move it by
 * hand: the {@link Clock} for dates (cache ages, domain ages, {@code Retry-After} dates, policy
 * reloads) and the {@link Ticker} for durations (deadlines, lane holds, settle windows, the key's
 * pause). Both beans are fallbacks: a test that declares its own is used instead.
 */
@Configuration(proxyBeanMethods = false)
public class TimeConfiguration {

    /** Wall-clock time, UTC. */
    @Bean
    @Fallback
    Clock systemClock() {
        return Clock.systemUTC();
    }

    /** Monotonic time ({@link System#nanoTime()}), for everything measured as a duration. */
    @Bean
    @Fallback
    Ticker systemTicker() {
        return Ticker.SYSTEM;
    }

}
