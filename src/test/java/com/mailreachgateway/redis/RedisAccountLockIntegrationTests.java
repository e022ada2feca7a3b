package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import com.mailreachgateway.state.AccountLock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The account lock of three replicas (three Redisson clients, as the gateway configures them) on one
 * real Redis, with the production deadline defaults (deadline 30 s, response timeout 10 s, so a lock
 * wait of up to 20 s and a lease of 50 s), without the rest of the gateway: what Redisson's fair lock
 * does with waiters queued for longer than a few seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisAccountLockIntegrationTests {

    /** {@code gateway.mailreach.deadline} minus {@code response-timeout}: what AccountService lets an update wait. */
    private static final Duration WAIT = Duration.ofSeconds(30 - 10);

    /** {@code gateway.redis.lock-lease}'s default. */
    private static final Duration LEASE = Duration.ofSeconds(3);

    private final List<RedissonClient> redissons = new ArrayList<>();

    private final List<AccountLock> replicas = new ArrayList<>();

    private SharedRedisFixture redis;

    @BeforeAll
    void startReplicas() {
        this.redis = new SharedRedisFixture();
        for (int i = 0; i < 3; i++) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            SharedRedis shared = this.redis.connect("lock-test:", registry);
            RedissonClient redisson = Redisson
                .create(SharedStateConfiguration.redissonConfig(this.redis.uri(), null, null, LEASE));
            this.redissons.add(redisson);
            this.replicas.add(new RedisAccountLock(redisson, shared, registry));
        }
    }

    @AfterAll
    void stopReplicas() {
        this.redissons.forEach(RedissonClient::shutdown);
        this.redis.close();
    }

    @Test
    void waitersQueuedLongerThanFiveSecondsBehindASlowHolderKeepTheirPlaceAndALaterOneNeverOvertakesThem() {
        int account = 42;
        long start = System.nanoTime();
        AccountLock.Held holder = this.replicas.get(0).acquire(account, WAIT).block(Duration.ofSeconds(5));
        assertThat(holder).isNotNull();
        ConcurrentLinkedQueue<Integer> granted = new ConcurrentLinkedQueue<>();
        List<Long> grantedAtMillis = new ArrayList<>();
        List<CompletableFuture<Long>> waiters = new ArrayList<>();
        // Three updates queue behind the holder from all three replicas within the first second; a fourth
        // comes after the first three have waited 5 s (Redisson's fair-lock wait in older defaults).
        long[] arrivals = { 300, 600, 900, 6000 };
        for (int i = 0; i < arrivals.length; i++) {
            int waiter = i + 1;
            AccountLock replica = this.replicas.get(waiter % 3);
            waiters.add(Mono.delay(Duration.ofMillis(arrivals[i]))
                .then(Mono.defer(() -> replica.acquire(account, WAIT)))
                .flatMap((held) -> {
                    long at = (System.nanoTime() - start) / 1_000_000;
                    granted.add(waiter);
                    // Each runs a short update, then lets the next one go.
                    return Mono.delay(Duration.ofMillis(100)).then(Mono.fromRunnable(held::release)).thenReturn(at);
                })
                .toFuture());
        }
        // The holder takes 7 s: longer than 5 s and than its lease (renewed while it lives), well within the
        // waiters' 20 s wait.
        Mono.delay(Duration.ofSeconds(7)).subscribe((tick) -> holder.release());

        for (CompletableFuture<Long> waiter : waiters) {
            grantedAtMillis.add(waiter.orTimeout(WAIT.toSeconds() + 5, TimeUnit.SECONDS).join());
        }
        assertThat(granted).as("granted in arrival order").containsExactly(1, 2, 3, 4);
        assertThat(grantedAtMillis.get(0)).as("the first waiter waited out the holder's 7 s")
            .isGreaterThanOrEqualTo(7000);
        for (int i = 1; i < grantedAtMillis.size(); i++) {
            assertThat(grantedAtMillis.get(i) - grantedAtMillis.get(i - 1))
                .as("waiter %d got its turn promptly after the one before (%s)", i + 1, grantedAtMillis)
                .isLessThan(1000);
        }
        System.out.printf("[figures] fair lock, production deadlines: holder 7 s, waiters queued 6.1-6.7 s and a "
                + "later one granted in order at %s ms%n", grantedAtMillis);
    }


    @Test
    void anAccountHeldByAReplicaThatDiesIsFreeForTheNextUpdateWithinOneLease() {
        int account = 43;
        RedissonClient doomedRedisson = Redisson
            .create(SharedStateConfiguration.redissonConfig(this.redis.uri(), null, null, LEASE));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AccountLock doomed = new RedisAccountLock(doomedRedisson, this.redis.connect("lock-test:", registry), registry);
        assertThat(doomed.acquire(account, WAIT).block(Duration.ofSeconds(5))).isNotNull();
        // Held well past its first lease: the watchdog renews it while the replica lives.
        long waiterStart = System.nanoTime();
        CompletableFuture<Long> next = this.replicas.get(1)
            .acquire(account, WAIT)
            .map((held) -> {
                held.release();
                return System.nanoTime();
            })
            .toFuture();
        Mono.delay(LEASE.multipliedBy(2)).block(LEASE.multipliedBy(3));
        assertThat(next).as("a live holder keeps the account past its lease").isNotDone();

        long died = System.nanoTime();
        doomedRedisson.shutdown(0, 1, TimeUnit.SECONDS);
        long grantedAt = next.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        long afterDeathMillis = (grantedAt - died) / 1_000_000;
        assertThat(afterDeathMillis).as("freed within one lease (%d ms) of the holder's death", LEASE.toMillis())
            .isLessThan(LEASE.toMillis() + 1000);
        System.out.printf("[figures] dead holder: the account was free %d ms after its replica died (lease %d ms, "
                + "waited %d ms in all)%n", afterDeathMillis, LEASE.toMillis(), (grantedAt - waiterStart) / 1_000_000);
    }

    @Test
    void aReplicaThatDiesMidAttemptKeepsItsAccountUntilThatAttemptCanNoLongerLand() {
        int account = 44;
        RedissonClient doomedRedisson = Redisson
            .create(SharedStateConfiguration.redissonConfig(this.redis.uri(), null, null, LEASE));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AccountLock doomed = new RedisAccountLock(doomedRedisson, this.redis.connect("lock-test:", registry), registry);
        AccountLock.Held held = doomed.acquire(account, WAIT).block(Duration.ofSeconds(5));
        // An attempt that may land for longer than the lease: the response timeout and settle window.
        Duration landsWithin = LEASE.plusSeconds(2);
        // Measured from before the record is asked for: it expires no earlier than this plus its window.
        long written = System.nanoTime();
        held.attemptStarting(landsWithin).block(Duration.ofSeconds(5));
        // The replica dies while the attempt is unanswered: it never ends the attempt nor lets the account go.
        doomedRedisson.shutdown(0, 1, TimeUnit.SECONDS);

        long grantedAt = this.replicas.get(2)
            .acquire(account, WAIT)
            .map((next) -> {
                next.release();
                return System.nanoTime();
            })
            .toFuture()
            .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
            .join();
        long waitedMillis = (grantedAt - written) / 1_000_000;
        assertThat(waitedMillis).as("the next update waited until the dead holder's attempt could no longer land")
            .isGreaterThanOrEqualTo(landsWithin.toMillis() - 20)
            .isLessThan(landsWithin.toMillis() + 1000);
    }

    @Test
    void anAnsweredAttemptLeavesNothingForTheNextHolderToWaitFor() {
        int account = 45;
        AccountLock.Held held = this.replicas.get(0).acquire(account, WAIT).block(Duration.ofSeconds(5));
        held.attemptStarting(Duration.ofSeconds(10)).block(Duration.ofSeconds(5));
        held.attemptEnded(0);
        held.release();
        long start = System.nanoTime();
        AccountLock.Held next = this.replicas.get(1).acquire(account, WAIT).block(Duration.ofSeconds(5));
        next.release();
        assertThat((System.nanoTime() - start) / 1_000_000).as("no settle window to wait out").isLessThan(1000);
    }

}
