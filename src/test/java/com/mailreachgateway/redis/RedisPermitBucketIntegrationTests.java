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

    private final List<SharedRedis> connections = new ArrayList<>();

    private SharedRedisFixture redis;

    @BeforeAll
    void startReplicas() {
        this.redis = new SharedRedisFixture();
        for (int i = 0; i < 3; i++) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            SharedRedis connection = this.redis.connect("bucket-test:", registry);
            this.connections.add(connection);
            this.buckets.add(new RedisPermitBucket(connection, RATE, 3, registry));
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
        System.out.printf("[figures] shared bucket alone: %d permits, %d refused; permits %d apart at least %d ms "
                + "apart "
                + "written as late and as early as may be (1000 = the limit in every one-second window); slots %s%n",
                sorted.size(), refused.get(), RATE, closest, millis);
    }


    /**
     * The joins around an outage, on the buckets themselves: Redis frozen long enough for the replicas to
     * fall back, then thawed. A shared slot is spent only while its replica hears from Redis; slots
     * reserved before the silence are void once it hears again; the local share starts only after the
     * shared permits a replica may still write; and the first script after the silence fences the
     * shared budget until every local share has ended.
     */
    @Test
    void aSilenceInRedisVoidsEarlierSlotsAndFencesTheSharedBudgetUntilTheLocalSharesEnded() throws Exception {
        warmUp();
        RedisPermitBucket first = this.buckets.get(0);
        SharedRedis firstConnection = this.connections.get(0);
        // A queue two seconds deep: the last slot comes after the thaw below.
        List<Permit> queue = new ArrayList<>();
        for (int i = 0; i < 2 * RATE; i++) {
            queue.add(first.reserve(Duration.ofSeconds(3)).get(5, TimeUnit.SECONDS).orElseThrow());
        }
        Permit late = queue.get(queue.size() - 1);
        assertThat(late.source().admits(System.nanoTime())).as("good while Redis answers").isTrue();

        this.redis.freeze();
        long frozen = System.nanoTime();
        Permit local;
        long thawed;
        try {
            await().atMost(Duration.ofSeconds(5))
                .until(() -> this.connections.stream().allMatch((connection) -> connection.outage() != null));
            SharedRedis.Outage outage = firstConnection.outage();
            local = first.reserve(Duration.ofSeconds(5)).get(1, TimeUnit.SECONDS).orElseThrow();
            // W (the Redis timeout) and (N + 1) spacings after this replica found Redis failing.
            assertThat(local.earliest() - outage.since).as("local share's first slot after the outage began")
                .isGreaterThanOrEqualTo(Duration.ofMillis(500 + 4 * 105).toNanos());
            await().atMost(Duration.ofSeconds(2)).until(() -> !late.source().admits(System.nanoTime()));
        }
        finally {
            this.redis.thaw();
            thawed = System.nanoTime();
        }
        await().atMost(Duration.ofSeconds(5))
            .until(() -> this.connections.stream().allMatch((connection) -> connection.outage() == null));
        assertThat(local.source().admits(System.nanoTime())).as("the local share ends when Redis answers again")
            .isFalse();

        Permit after = this.buckets.get(1).reserve(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS).orElseThrow();
        // max(V = 1.5 x probe interval (1 s), W = 500 ms) + (N + 1) spacings after Redis ran again.
        assertThat(after.earliest() - thawed).as("first shared slot after the thaw")
            .isGreaterThanOrEqualTo(Duration.ofMillis(1500 + 4 * 105 - CLOCK_SLACK_MILLIS).toNanos());
        // Hearing from Redis again makes a replica's shared permits good again, but not those reserved
        // before the silence (their slots may fall among the local shares' last calls).
        Permit control = first.reserve(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS).orElseThrow();
        await().atMost(Duration.ofSeconds(2)).until(() -> control.source().admits(System.nanoTime()));
        assertThat(late.source().admits(System.nanoTime())).as("a slot reserved before the silence").isFalse();
        System.out.printf("[figures] joins: Redis frozen %d ms; local share's first slot %d ms after the freeze, "
                + "first shared slot %d ms after the thaw%n", (thawed - frozen) / 1_000_000,
                (local.earliest() - frozen) / 1_000_000, (after.earliest() - thawed) / 1_000_000);
    }

    /**
     * One permit through each replica, and past its slot: an empty Redis starts with a fence (it cannot
     * tell a first start from a restart while replicas ran on their local shares), and the first Redis
     * calls of a JVM take far longer than a period.
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
