package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared MailReach budget of three replicas (three buckets on one real Redis), without HTTP in
 * between: the times permits are granted, so that what the bucket allows is seen apart from the
 * network's jitter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisPermitBucketIntegrationTests {

    private static final int RATE = 10;

    private static final long PERIOD_MILLIS = 1000 / RATE;

    /** A grant completes on a scheduler thread a few ms after its token's time, never before it. */
    private static final long SCHEDULER_JITTER_MILLIS = 25;

    private final List<RedisPermitBucket> buckets = new ArrayList<>();

    private final List<ScheduledExecutorService> schedulers = new ArrayList<>();

    private SharedRedisFixture redis;

    @BeforeAll
    void startReplicas() {
        this.redis = new SharedRedisFixture();
        for (int i = 0; i < 3; i++) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            this.buckets.add(new RedisPermitBucket(this.redis.connect("bucket-test:", registry), RATE, 3, registry));
            this.schedulers.add(Executors.newSingleThreadScheduledExecutor());
        }
    }

    @AfterAll
    void stopReplicas() {
        this.schedulers.forEach(ScheduledExecutorService::shutdownNow);
        this.redis.close();
    }

    @Test
    void threeReplicasOverloadedAndRefusingCallersNeverGrantTwoPermitsCloserThanOnePeriod() throws Exception {
        // One permit through each replica first: the first Redis calls of a JVM take far longer than a
        // period, and a late first grant would look like two grants close together.
        for (int replica = 0; replica < 3; replica++) {
            assertThat(this.buckets.get(replica).tryConsume(Duration.ofSeconds(2), this.schedulers.get(replica))
                .get(5, TimeUnit.SECONDS)).isTrue();
        }
        ConcurrentLinkedQueue<Long> grants = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        List<CompletableFuture<Boolean>> calls = new ArrayList<>();
        long start = System.nanoTime();
        // 40 calls/s offered for 1.5 s on three replicas against 10/s, each waiting at most 1 s: most are
        // refused once the queue is a second deep, while later arrivals still find a slot within theirs.
        for (int i = 0; i < 60; i++) {
            long due = start + TimeUnit.MILLISECONDS.toNanos(25L * i);
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            int replica = i % 3;
            calls.add(this.buckets.get(replica)
                .tryConsume(Duration.ofSeconds(1), this.schedulers.get(replica))
                .whenComplete((granted, error) -> {
                    if (Boolean.TRUE.equals(granted)) {
                        grants.add(System.nanoTime());
                    }
                    else {
                        refused.incrementAndGet();
                    }
                }));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        List<Long> millis = grants.stream().sorted().map((nanos) -> (nanos - start) / 1_000_000).toList();
        assertThat(refused.get()).as("overloaded: some calls refused").isGreaterThan(10);
        assertThat(millis.size()).as("the budget was used: %s", millis).isGreaterThanOrEqualTo(2 * RATE);
        for (int i = 1; i < millis.size(); i++) {
            assertThat(millis.get(i) - millis.get(i - 1))
                .as("ms between permit %d and %d, grants %s", i - 1, i, millis)
                .isGreaterThanOrEqualTo(PERIOD_MILLIS - SCHEDULER_JITTER_MILLIS);
        }
        for (int i = 0; i + RATE < millis.size(); i++) {
            assertThat(millis.get(i + RATE) - millis.get(i)).as("ms from permit %d to %d, grants %s", i, i + RATE, millis)
                .isGreaterThanOrEqualTo(1000 - SCHEDULER_JITTER_MILLIS);
        }
        long closest = java.util.stream.IntStream.range(0, millis.size() - RATE)
            .mapToLong((i) -> millis.get(i + RATE) - millis.get(i))
            .min()
            .orElseThrow();
        System.out.printf("[figures] shared bucket alone: %d permits granted, %d refused; permits %d apart at least "
                + "%d ms apart (1000 = exactly the limit in every one-second window); grant times %s%n", millis.size(),
                refused.get(), RATE, closest, millis);
    }

}
