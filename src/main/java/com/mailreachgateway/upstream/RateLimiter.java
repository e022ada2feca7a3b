package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;

/**
 * The outbound limit towards MailReach, over a {@link PermitBucket} holding a single token, so
 * permits are spaced evenly and MailReach never sees more than {@code requests-per-second} calls
 * in any one-second window (a fixed-window limiter can let twice that through across a window
 * edge). A call waits for a permit at most as long as it is allowed to; one that cannot get a
 * permit in that time uses none. One that leaves while waiting leaves its token unused rather than
 * give it back (see {@link PermitBucket}).
 */
final class RateLimiter implements AutoCloseable {

    private final PermitBucket bucket;

    private final Duration maxWait;

    private final ScheduledExecutorService scheduler;

    private final Counter acquired;

    private final Counter rejected;

    private final Timer waits;

    RateLimiter(PermitBucket bucket, Duration maxWait, MeterRegistry registry) {
        this.bucket = bucket;
        this.maxWait = maxWait;
        this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
            Thread thread = new Thread(task, "mailreach-rate-limit");
            thread.setDaemon(true);
            return thread;
        });
        this.acquired = Counter.builder("gateway.ratelimit.permits")
            .description("Permits to call MailReach, by result")
            .tag("result", "acquired")
            .register(registry);
        this.rejected = Counter.builder("gateway.ratelimit.permits")
            .description("Permits to call MailReach, by result")
            .tag("result", "rejected")
            .register(registry);
        this.waits = Timer.builder("gateway.ratelimit.wait")
            .description("Time calls waited for a permit to call MailReach")
            .register(registry);
    }

    /** The longest a call waits for a permit ({@code max-wait}), before its deadline shortens it. */
    Duration maxWait() {
        return this.maxWait;
    }

    /**
     * Completes when this call may go to MailReach. Fails with {@link NoPermitException} when no
     * permit comes within {@code limit}; the caller knows whether {@code max-wait} or its deadline
     * set that limit.
     */
    Mono<Void> acquire(Duration limit) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            CompletableFuture<Boolean> reservation = this.bucket.tryConsume(limit, this.scheduler);
            return Mono.fromFuture(reservation, true).flatMap((granted) -> {
                if (granted) {
                    this.acquired.increment();
                    this.waits.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    return Mono.<Void>empty();
                }
                this.rejected.increment();
                return Mono.error(new NoPermitException(this.bucket.timeToNextToken()));
            });
        });
    }

    @Override
    public void close() {
        this.scheduler.shutdownNow();
    }

    /** No permit within the allowed wait; carries how long until one is free. */
    static final class NoPermitException extends RuntimeException {

        final Duration nextPermit;

        NoPermitException(Duration nextPermit) {
            super("no permit", null, false, false);
            this.nextPermit = nextPermit;
        }

    }

}
