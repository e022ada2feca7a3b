package com.mailreachgateway.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** A clock a test moves by hand, so cache ages and domain ages need no sleeping. */
public final class MutableClock extends Clock {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    public void advance(Duration duration) {
        this.now.updateAndGet((instant) -> instant.plus(duration));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return this.now.get();
    }

    /** Registers a {@link MutableClock} as the application's {@link Clock}. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Config {

        @Bean
        MutableClock clock() {
            return new MutableClock();
        }

    }

}
