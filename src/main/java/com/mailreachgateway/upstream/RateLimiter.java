package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import com.mailreachgateway.system.Ticker;

/**
 * The outbound limit towards MailReach, over a {@link PermitBucket}: permits are spaced evenly and
 * each may be written only just after its slot, so MailReach never sees more than
 * {@code requests-per-second} calls in any one-second window (a fixed-window limiter can let twice
 * that through across a window edge, and a permit written whenever an event loop gets to it lets
 * several go out together). A call waits for a permit at most as long as it is allowed to; one that
 * cannot get a permit in that time uses none. One that leaves while waiting leaves its token unused
 * rather than give it back (see {@link PermitBucket}).
 */
final class RateLimiter implements AutoCloseable {

    /**
     * How long before its slot a permit is handed over: time to check the key's pause again and take
     * a connection, so that the request is ready when its slot comes. It then waits for the slot on the
     * connection's event loop ({@link PermitCheckingConnector}).
     */
    static final Duration LEAD = Duration.ofMillis(20);

    private final PermitBucket bucket;

    private final Duration maxWait;

    private final Ticker clock;

    private final ScheduledExecutorService executor;

    private final Scheduler scheduler;

    private final Counter acquired;

    private final Counter rejected;

    private final Counter expired;

    private final Timer waits;

    RateLimiter(PermitBucket bucket, Duration maxWait, MeterRegistry registry, Ticker clock) {
        this.bucket = bucket;
        this.maxWait = maxWait;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
            Thread thread = new Thread(task, "mailreach-rate-limit");
            thread.setDaemon(true);
            return thread;
        });
        this.scheduler = Schedulers.fromExecutorService(this.executor, "mailreach-rate-limit");
        this.acquired = permits(registry, "acquired");
        this.rejected = permits(registry, "rejected");
        this.expired = Counter.builder("gateway.ratelimit.expired")
            .description("Permits spent unused: their moment had passed before their request could be written")
            .register(registry);
        this.waits = Timer.builder("gateway.ratelimit.wait")
            .description("Time calls waited for a permit to call MailReach")
            .register(registry);
    }

    private static Counter permits(MeterRegistry registry, String result) {
        return Counter.builder("gateway.ratelimit.permits")
            .description("Permits to call MailReach, by result")
            .tag("result", result)
            .register(registry);
    }

    /** The longest a call waits for a permit ({@code max-wait}), before its deadline shortens it. */
    Duration maxWait() {
        return this.maxWait;
    }

    /**
     * Emits this call's permit, {@link #LEAD} before its slot. Fails with {@link NoPermitException}
     * when no permit comes within {@code limit}; the caller knows whether {@code max-wait} or its
     * deadline set that limit.
     */
    Mono<Permit> acquire(Duration limit) {
        return Mono.defer(() -> {
            long start = this.clock.read();
            // Continues on this limiter's thread, whichever thread answered (a Redis client's, for one).
            return Mono.fromFuture(this.bucket.reserve(limit), true).publishOn(this.scheduler).flatMap((reserved) -> {
                if (reserved.isEmpty()) {
                    this.rejected.increment();
                    return Mono.error(new NoPermitException(this.bucket.timeToNextToken()));
                }
                Permit permit = reserved.get();
                this.acquired.increment();
                long handOver = permit.earliest() - LEAD.toNanos() - this.clock.read();
                this.waits.record(Math.max(0, permit.earliest() - start), TimeUnit.NANOSECONDS);
                return (handOver <= 0) ? Mono.just(permit)
                        : Mono.delay(Duration.ofNanos(handOver), this.scheduler).thenReturn(permit);
            });
        });
    }

    /** Counts a permit that came too late to its write and was spent unused. */
    void expired() {
        this.expired.increment();
    }

    @Override
    public void close() {
        this.scheduler.dispose();
        this.executor.shutdownNow();
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
