package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.mailreachgateway.upstream.Permit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shared MailReach budget of three replicas (three buckets on one real Redis), without HTTP in
 * between: the permits themselves (the instants their requests may be written), so that what the
 * bucket allows is seen apart from the network's jitter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisPermitBucketIntegrationTests {

    private static final int RATE = 10;

    private static final long PERIOD_MILLIS = 1000 / RATE;

    /**
     * Each replica places Redis's slots on its own clock from round trips, to within the fastest one
     * it has seen (well under a millisecond on loopback, a few on a busy machine).
     */
    private static final long CLOCK_SLACK_MILLIS = 5;

    private final List<RedisPermitBucket> buckets = new ArrayList<>();

    private SharedRedisFixture redis;

    @BeforeAll
    void startReplicas() {
        this.redis = new SharedRedisFixture();
        for (int i = 0; i < 3; i++) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            this.buckets.add(new RedisPermitBucket(this.redis.connect("bucket-test:", registry), RATE, 3, registry));
        }
    }

    @AfterAll
    void stopReplicas() {
        this.redis.close();
    }

    @Test
    void threeReplicasOverloadedAndRefusingCallersNeverPlaceElevenWritesInOneSecond() throws Exception {
        warmUp();
        ConcurrentLinkedQueue<Permit> permits = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        List<CompletableFuture<Optional<Permit>>> calls = new ArrayList<>();
        long start = System.nanoTime();
        // 40 calls/s offered for 1.5 s on three replicas against 10/s, each waiting at most 1 s: most are
        // refused once the queue is a second deep, while later arrivals still find a slot within theirs.
        for (int i = 0; i < 60; i++) {
            long due = start + TimeUnit.MILLISECONDS.toNanos(25L * i);
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            calls.add(this.buckets.get(i % 3).reserve(Duration.ofSeconds(1)).whenComplete((permit, error) -> {
                if (permit != null && permit.isPresent()) {
                    permits.add(permit.get());
                }
                else {
                    refused.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        List<Permit> sorted = permits.stream().sorted(Comparator.comparingLong(Permit::earliest)).toList();
        List<Long> millis = sorted.stream().map((permit) -> (permit.earliest() - start) / 1_000_000).toList();
        assertThat(refused.get()).as("overloaded: some calls refused").isGreaterThan(10);
        assertThat(sorted.size()).as("the budget was used: %s", millis).isGreaterThanOrEqualTo(2 * RATE);
        for (int i = 1; i < sorted.size(); i++) {
            assertThat(millis.get(i) - millis.get(i - 1)).as("ms between permit %d and %d, slots %s", i - 1, i, millis)
                .isGreaterThanOrEqualTo(PERIOD_MILLIS - CLOCK_SLACK_MILLIS);
        }
        long closest = Long.MAX_VALUE;
        for (int i = 0; i + RATE < sorted.size(); i++) {
            // Permit i written as late as it may be, permit i + 10 as early: still more than a second apart.
            long apart = (sorted.get(i + RATE).earliest() - sorted.get(i).latest()) / 1_000_000;
            closest = Math.min(closest, apart);
            assertThat(apart).as("ms from permit %d's last write to permit %d's first, slots %s", i, i + RATE, millis)
                .isGreaterThanOrEqualTo(1000);
        }
        System.out.printf("[figures] shared bucket alone: %d permits, %d refused; permits %d apart at least %d ms apart "
                + "written as late and as early as may be (1000 = the limit in every one-second window); slots %s%n",
                sorted.size(), refused.get(), RATE, closest, millis);
    }


    /**
     * One permit through each replica, and past its slot: the first Redis calls of a JVM take far longer
     * than a period.
     */
    private void warmUp() throws Exception {
        long last = System.nanoTime();
        for (RedisPermitBucket bucket : this.buckets) {
            last = bucket.reserve(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS).orElseThrow().latest();
        }
        long warmedUp = last;
        await().atMost(Duration.ofSeconds(6)).until(() -> System.nanoTime() - warmedUp > 0);
    }

}
