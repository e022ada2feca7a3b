package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;

/**
 * The outbound limit towards MailReach: a token bucket holding a single token that refills
 * every {@code 1s / requests-per-second}, so permits are spaced evenly and MailReach never sees
 * more than {@code requests-per-second} calls in any one-second window (a fixed-window limiter
 * can let twice that through across a window edge). A call that cannot get a permit within
 * {@code max-wait} fails at once with a 429 for the caller, and uses no permit.
 */
final class RateLimiter implements AutoCloseable {

    private final Bucket bucket;

    private final Duration maxWait;

    private final ScheduledExecutorService scheduler;

    private final Counter acquired;

    private final Counter rejected;

    private final Timer waits;

    RateLimiter(MailReachProperties.RateLimit config, MeterRegistry registry) {
        Duration period = Duration.ofNanos(TimeUnit.SECONDS.toNanos(1) / config.requestsPerSecond());
        this.bucket = Bucket.builder()
            .addLimit((limit) -> limit.capacity(1).refillGreedy(1, period))
            .build();
        this.maxWait = config.maxWait();
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

    /** Completes when this call may go to MailReach, or fails with a 429-mapped error. */
    Mono<Void> acquire() {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return Mono.fromFuture(this.bucket.asScheduler().tryConsume(1, this.maxWait, this.scheduler))
                .flatMap((granted) -> {
                    if (granted) {
                        this.acquired.increment();
                        this.waits.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                        return Mono.<Void>empty();
                    }
                    this.rejected.increment();
                    long nanos = this.bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
                    return Mono.error(new UpstreamExceptions.RateLimitedException(Duration.ofNanos(nanos)));
                });
        });
    }

    @Override
    public void close() {
        this.scheduler.shutdownNow();
    }

}
