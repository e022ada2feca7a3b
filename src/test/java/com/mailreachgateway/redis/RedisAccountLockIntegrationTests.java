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
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The account turns of three replicas (as the gateway builds them) on one real Redis, with the
 * production timings (a wait of up to 20 s, a lease of 3 s), without the rest of the gateway: order
 * by arrival, waits longer than a lease, and replicas that die while they hold or wait.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisAccountLockIntegrationTests {

    /** {@code gateway.mailreach.deadline} minus {@code response-timeout}: what AccountUpdates lets an update wait. */
    private static final Duration WAIT = Duration.ofSeconds(30 - 10);

    /** {@code gateway.redis.lock-lease}'s default. */
    private static final Duration LEASE = Duration.ofSeconds(3);

    private final List<RedisAccountLock> replicas = new ArrayList<>();

    private SharedRedisFixture redis;

    @BeforeAll
    void startReplicas() {
        this.redis = new SharedRedisFixture();
        for (int i = 0; i < 3; i++) {
            this.replicas.add(replica());
        }
    }

    @AfterAll
    void stopReplicas() {
        this.replicas.forEach(RedisAccountLock::close);
        this.redis.close();
    }

    /** A replica that will die: {@link Doomed#die} stops it without letting anything go. */
    private Doomed doomed() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SharedRedis redis = this.redis.connect("lock-test:", registry);
        return new Doomed(new RedisAccountLock(redis, LEASE, registry), redis);
    }

    private record Doomed(RedisAccountLock lock, SharedRedis redis) {

        /** No more renewals, nothing let go, no word on any attempt. */
        void die() {
            this.lock.close();
            this.redis.close();
        }

    }

    /** When ({@link System#nanoTime()}) the account's turn comes on {@code replica}; lets it go at once. */
    private static CompletableFuture<Long> turnAt(AccountLock replica, int account) {
        return replica.acquire(account, WAIT).map((held) -> {
            held.release();
            return System.nanoTime();
        }).toFuture();
    }

    private RedisAccountLock replica() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RedisAccountLock lock = new RedisAccountLock(this.redis.connect("lock-test:", registry), LEASE, registry);
        lock.start();
        return lock;
    }

    @Test
    void waitersQueuedLongerThanALeaseBehindASlowHolderKeepTheirPlaceAndALaterOneNeverOvertakesThem() {
        int account = 42;
        long start = System.nanoTime();
        AccountLock.Held holder = this.replicas.get(0).acquire(account, WAIT).block(Duration.ofSeconds(5));
        assertThat(holder).isNotNull();
        ConcurrentLinkedQueue<Integer> granted = new ConcurrentLinkedQueue<>();
        List<Long> grantedAtMillis = new ArrayList<>();
        List<CompletableFuture<Long>> waiters = new ArrayList<>();
        // Three updates queue behind the holder from all three replicas within the first second; a fourth
        // comes after the first three have waited two leases.
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
        // The holder takes 7 s: longer than two leases (renewed while it lives), within the waiters' 20 s wait.
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
        System.out.printf("[figures] account turns, production timings: holder 7 s, waiters queued 6.1-6.7 s and a "
                + "later one granted in order at %s ms%n", grantedAtMillis);
    }

    @Test
    void anAccountHeldByAReplicaThatDiesIsFreeWithinOneLeaseEvenWithThatReplicasOwnUpdatesQueuedBehind() {
        int account = 43;
        Doomed doomed = doomed();
        assertThat(doomed.lock().acquire(account, WAIT).block(Duration.ofSeconds(5))).isNotNull();
        // The doomed replica has more updates of the account queued; a live replica's update queues behind them.
        doomed.lock().acquire(account, WAIT).subscribe();
        doomed.lock().acquire(account, WAIT).subscribe();
        Mono.delay(Duration.ofMillis(200)).block(Duration.ofSeconds(1));
        long waiterStart = System.nanoTime();
        CompletableFuture<Long> next = turnAt(this.replicas.get(1), account);
        Mono.delay(LEASE.multipliedBy(2)).block(LEASE.multipliedBy(3));
        assertThat(next).as("a live holder keeps the account past its lease").isNotDone();

        long died = System.nanoTime();
        doomed.die();
        long grantedAt = next.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        long afterDeathMillis = (grantedAt - died) / 1_000_000;
        assertThat(afterDeathMillis).as("freed within one lease (%d ms) of the replica's death", LEASE.toMillis())
            .isLessThan(LEASE.toMillis() + 1000);
        System.out.printf("[figures] dead replica (holder and two queued updates): the account was free %d ms after "
                + "it died (lease %d ms, waited %d ms in all)%n", afterDeathMillis, LEASE.toMillis(),
                (grantedAt - waiterStart) / 1_000_000);
    }

    @Test
    void aReplicaThatDiesMidAttemptKeepsItsAccountUntilThatAttemptCanNoLongerLand() {
        int account = 44;
        Doomed doomed = doomed();
        AccountLock.Held held = doomed.lock().acquire(account, WAIT).block(Duration.ofSeconds(5));
        // An attempt that may land for longer than the lease: the response timeout and settle window.
        Duration landsWithin = LEASE.plusSeconds(2);
        // Measured from before the record is asked for: it expires no earlier than this plus its window.
        long written = System.nanoTime();
        held.attemptStarting(landsWithin).block(Duration.ofSeconds(5));
        // The replica dies while the attempt is unanswered: it never ends the attempt nor lets the account go.
        doomed.die();

        long grantedAt = turnAt(this.replicas.get(2), account).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
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

    @Test
    void aWaiterThatGivesUpLeavesTheQueueAndTheNextOneIsNotHeldBehindIt() {
        int account = 46;
        AccountLock.Held holder = this.replicas.get(0).acquire(account, WAIT).block(Duration.ofSeconds(5));
        // Gives up after 300 ms, long before the holder lets go.
        Mono<AccountLock.Held> quitter = this.replicas.get(1).acquire(account, Duration.ofMillis(300));
        CompletableFuture<AccountLock.Held> gaveUp = quitter.toFuture();
        CompletableFuture<Long> next = Mono.delay(Duration.ofMillis(100))
            .then(Mono.fromFuture(() -> turnAt(this.replicas.get(2), account)))
            .toFuture();
        assertThat(gaveUp).failsWithin(Duration.ofSeconds(5));
        Mono.delay(Duration.ofSeconds(1)).block(Duration.ofSeconds(2));
        long released = System.nanoTime();
        holder.release();
        long afterRelease = (next.orTimeout(10, TimeUnit.SECONDS).join() - released) / 1_000_000;
        assertThat(afterRelease).as("ms from the holder's release to the next update's turn").isLessThan(500);
    }

    @Test
    void anUpdateThatTheQueueLostWhileHoldingTheTurnStillHasItWhenRedisComesBackEmpty() throws Exception {
        int account = 47;
        AccountLock.Held holder = this.replicas.get(0).acquire(account, WAIT).block(Duration.ofSeconds(5));
        holder.attemptStarting(Duration.ofSeconds(1)).block(Duration.ofSeconds(5));
        // What a Redis restart without persistence leaves: nothing.
        this.redis.flushAll();
        CompletableFuture<Long> next = turnAt(this.replicas.get(1), account);
        Mono.delay(LEASE.multipliedBy(2)).block(LEASE.multipliedBy(3));
        assertThat(next).as("the holder put itself back: the later update still waits").isNotDone();
        long released = System.nanoTime();
        holder.release();
        long afterRelease = (next.orTimeout(10, TimeUnit.SECONDS).join() - released) / 1_000_000;
        assertThat(afterRelease).as("then it has the turn").isLessThan(500);
    }

}
