package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The wait after a failed attempt when MailReach gave none: exponential from
 * {@code initial-backoff}, with {@code jitter} either way, at most {@code max-backoff}.
 */
final class Backoff {

    private final MailReachProperties.Retry config;

    /** A uniform random number in [0, 1): the jitter's source (a test passes a fixed one). */
    private final DoubleSupplier random;

    Backoff(MailReachProperties.Retry config, DoubleSupplier random) {
        this.config = config;
        this.random = random;
    }

    /** The wait after attempt {@code number}: 1, 2, 4, 8 s by default. */
    Duration after(int number) {
        long base = this.config.initialBackoff().toMillis() << Math.min(number - 1, 20);
        double jitter = this.config.jitter() * (2 * this.random.getAsDouble() - 1);
        long wait = Math.round(base * (1 + jitter));
        return Duration.ofMillis(Math.max(0, Math.min(wait, this.config.maxBackoff().toMillis())));
    }

}
