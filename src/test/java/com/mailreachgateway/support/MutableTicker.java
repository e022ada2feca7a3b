package com.mailreachgateway.support;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.mailreachgateway.system.Ticker;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Monotonic time a test moves by hand, so deadlines, holds and pauses need no sleeping. */
public final class MutableTicker implements Ticker {

    private final AtomicLong nanos = new AtomicLong(System.nanoTime());

    public void advance(Duration duration) {
        this.nanos.addAndGet(duration.toNanos());
    }

    @Override
    public long read() {
        return this.nanos.get();
    }

    /** Registers a {@link MutableTicker} as the application's {@link Ticker}. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Config {

        @Bean
        MutableTicker ticker() {
            return new MutableTicker();
        }

    }

}
