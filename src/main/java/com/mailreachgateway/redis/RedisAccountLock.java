package com.mailreachgateway.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.mailreachgateway.system.Ticker;
import com.mailreachgateway.state.AccountLock;
import com.mailreachgateway.state.LaneRefusedException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The account's turn across replicas: one queue per account in Redis ({@code <prefix>turns:<id>}, a
 * sorted set), which every update joins when it arrives, stamped with Redis's clock, so turns follow
 * arrival at the gateway as a whole, whichever replica took each update. The head of the queue has the
 * turn. Every member has a lease ({@code <prefix>alive:<ticket>}, {@code gateway.redis.lock-lease})
 * that its replica renews every third of the lease while the update waits or runs: a member whose
 * replica died is skipped (and removed) once its lease has run out, whether it held the turn or was
 * still waiting, so a dead replica frees its accounts within one lease.
 * <p>
 * Why not a lock library: Redisson's fair lock (used before) keeps a waiter whose replica died in its
 * queue for as long as that waiter meant to wait (its waiters have no lease), so live updates behind
 * it waited out their whole deadline (19.8 s measured with the production deadline), and its queue is
 * gone after a Redis restart, after which waiters come back in whatever order they retry. Here every
 * member renews its own lease, and a member that finds the queue lost rejoins at its own stamp: after
 * Redis lost its data ({@code <prefix>epoch} missing), nobody gets a turn for a short regroup window
 * (two renewal periods), long enough for every replica to put back the updates it holds or waits with,
 * so the order across a Redis restart is still the order of arrival. The stamps are Redis's clock.
 * <p>
 * What an earlier holder may still have landing at MailReach is kept apart: before each attempt is
 * written, its settle window is recorded under {@code <prefix>inflight:<id>} (only while the update
 * still holds the turn: an update that lost it writes nothing), cut to the real window once the
 * attempt ended and deleted when it was answered; the next holder waits that key out. While Redis is
 * unreachable the local lanes alone order updates ({@code local-share}), or updates are refused
 * ({@code refuse}).
 */
final class RedisAccountLock implements AccountLock, AutoCloseable {

    /** How often a waiting update asks whether its turn came (sooner when an update of this replica ends). */
    static final Duration POLL = Duration.ofMillis(50);

    /**
     * Whether the ticket has the turn. KEYS: turns, epoch, inflight; ARGV: ticket, alive key prefix.
     * Returns {1, the in-flight key's time to live (ms, negative when none), stamp} (the turn is the
     * ticket's), {0, wait hint ms, stamp} (not yet; the hint is the rest of a regroup window, else 0), or
     * {-1, 0, stamp} (the ticket is not in the queue: Redis lost it, or took it for dead). Members at the
     * head whose lease ran out are removed on the way.
     */
    private static final String TURN_PART = "if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {-1, 0, stamp} end "
            + "local regroup = tonumber(redis.call('GET', KEYS[2]) or '0') "
            + "if regroup > now then return {0, regroup - now, stamp} end "
            + "while true do "
            + "  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1] "
            + "  if head == ARGV[1] then return {1, redis.call('PTTL', KEYS[3]), stamp} end "
            + "  if redis.call('EXISTS', ARGV[2] .. head) == 1 then return {0, 0, stamp} end "
            + "  redis.call('ZREM', KEYS[1], head) "
            + "end";

    private static final String TURN = RedisClock.LUA_NOW + "local stamp = 0 " + TURN_PART;

    /**
     * Joins the queue, then answers as {@link #TURN} (one round trip for an update nobody is ahead of).
     * KEYS: turns, epoch, inflight, alive; ARGV: ticket, alive key prefix, lease ms, keep ms, stamp ('' for
     * a new one), regroup ms, age us. The stamp is Redis's clock when the update arrived (now less the age
     * its replica measured), or the given one when it rejoins. Opens a regroup window if Redis lost its data.
     */
    private static final String JOIN = RedisClock.LUA_NOW
            + "if not redis.call('GET', KEYS[2]) then redis.call('SET', KEYS[2], now + tonumber(ARGV[6])) end "
            + "local stamp = us - tonumber(ARGV[7]) "
            + "if ARGV[5] ~= '' then stamp = tonumber(ARGV[5]) end "
            + "redis.call('ZADD', KEYS[1], stamp, ARGV[1]) "
            + "redis.call('PEXPIRE', KEYS[1], ARGV[4]) "
            + "redis.call('SET', KEYS[4], '1', 'PX', ARGV[3]) "
            + TURN_PART;

    /** KEYS: turns, alive; ARGV: ticket. */
    private static final String RELEASE = "redis.call('ZREM', KEYS[1], ARGV[1]) redis.call('DEL', KEYS[2]) return 1";

    /** KEYS: alive keys; ARGV: lease ms. Returns the (1-based) positions of the keys that were gone. */
    private static final String RENEW = "local lost = {} "
            + "for i, k in ipairs(KEYS) do "
            + "  if redis.call('PEXPIRE', k, ARGV[1]) == 0 then table.insert(lost, i) end "
            + "end "
            + "return lost";

    /**
     * KEYS: turns, alive, inflight; ARGV: ticket, window ms. Records the attempt's window if the ticket
     * still has the turn; returns 1, else 0.
     */
    private static final String ATTEMPT = "local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1] "
            + "if head ~= ARGV[1] or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end "
            + "redis.call('SET', KEYS[3], '1', 'PX', ARGV[2]) "
            + "return 1";

    private static final byte[] JOIN_SCRIPT = bytes(JOIN);

    private static final byte[] TURN_SCRIPT = bytes(TURN);

    private static final byte[] RELEASE_SCRIPT = bytes(RELEASE);

    private static final byte[] RENEW_SCRIPT = bytes(RENEW);

    private static final byte[] ATTEMPT_SCRIPT = bytes(ATTEMPT);

    private static final byte[] ONE = bytes("1");

    /** {@link #turn}: the turn did not come in time. */
    private static final long NOT_IN_TIME = Long.MIN_VALUE;

    private static final int RENEW_BATCH = 200;

    private final SharedRedis redis;

    private final Ticker ticker;

    private final Duration lease;

    private final Duration regroup;

    private final String replica = UUID.randomUUID().toString();

    private final byte[] epochKey;

    /** Prefix of the members' lease keys, which the scripts complete with a member's ticket. */
    private final String alivePrefix;

    private final AtomicLong tickets = new AtomicLong();

    /** The updates of this replica that wait for or hold an account's turn: their leases are renewed. */
    private final Map<String, Ticket> live = new ConcurrentHashMap<>();

    private final Timer waits;

    private final Counter releaseFailures;

    private final Disposable renewals;

    RedisAccountLock(SharedRedis redis, Duration lease, MeterRegistry registry) {
        this.redis = redis;
        this.ticker = redis.ticker();
        this.lease = lease;
        this.epochKey = bytes(key("epoch"));
        this.alivePrefix = key("alive:");
        Duration renewEvery = lease.dividedBy(3);
        this.regroup = renewEvery.multipliedBy(2).plus(POLL.multipliedBy(2));
        this.waits = Timer.builder("gateway.redis.lock.wait")
            .description("Time updates waited for their account's turn across replicas")
            .publishPercentileHistogram()
            .register(registry);
        this.releaseFailures = Counter.builder("gateway.redis.lock.release.failures")
            .description("Account turns that could not be given back (Redis failing): their lease frees them")
            .register(registry);
        this.renewals = Flux.interval(renewEvery, renewEvery)
            .onBackpressureDrop()
            .concatMap((tick) -> renew())
            .subscribe();
    }

    @Override
    public Mono<Held> acquire(int accountId, Duration wait) {
        return Mono.defer(() -> {
            long arrived = this.ticker.read();
            return acquire(accountId, arrived, arrived + wait.toNanos(), false);
        });
    }

    private Mono<Held> acquire(int accountId, long arrived, long until, boolean retried) {
        return Mono.defer(() -> {
            if (!this.redis.shared()) {
                return retried ? offShared() : afterBlip(accountId, arrived, until);
            }
            long start = this.ticker.read();
            Ticket ticket = new Ticket(accountId, this.replica + ":" + this.tickets.incrementAndGet(), arrived);
            this.live.put(ticket.id, ticket);
            return turn(ticket, until, join(ticket)).flatMap((inFlightTtl) -> {
                this.waits.record(this.ticker.read() - start, TimeUnit.NANOSECONDS);
                if (inFlightTtl == NOT_IN_TIME) {
                    ticket.release();
                    return Mono.<Held>error(LaneRefusedException.turnNotInTime());
                }
                return settled(ticket, until, inFlightTtl);
            }).onErrorResume((ex) -> !(ex instanceof LaneRefusedException), (ex) -> {
                // Redis failed under this update (its place, if it got one, ends with its lease): as one that
                // arrives while Redis is unreachable, it waits for Redis a little, once, then goes on as in
                // fallback (or is refused).
                ticket.release();
                return retried ? offShared() : afterBlip(accountId, arrived, until);
            }).doOnNext((held) -> ticket.handedOver.set(true)).doOnCancel(() -> {
                // The caller left before the account was handed over: its place goes to the next update.
                if (!ticket.handedOver.get()) {
                    ticket.release();
                }
            });
        });
    }

    /**
     * Redis is unreachable as the update arrives. If it has been so for less than {@link #blip()} (a restart,
     * a network blip), the update waits for it, within its own wait, so that it still takes its place in the
     * account's order; past that it goes on as in fallback ({@code refuse}: it is refused at once).
     */
    private Mono<Held> afterBlip(int accountId, long arrived, long until) {
        Duration grace = blip().minus(this.redis.inFallbackFor());
        long left = until - this.ticker.read();
        if (this.redis.onFailure() == SharedStateProperties.OnFailure.REFUSE || grace.isNegative() || left <= 0) {
            return offShared();
        }
        // The wait ends at the update's own limit at the latest: one attempt still fits after it.
        return Flux.interval(POLL)
            .filter((tick) -> this.redis.shared())
            .next()
            .timeout(Duration.ofNanos(Math.min(grace.toNanos(), left)), Mono.empty())
            .flatMap((back) -> acquire(accountId, arrived, until, true))
            .switchIfEmpty(Mono.defer(this::offShared));
    }

    /**
     * How long Redis may be unreachable before updates stop waiting for it and go on with this replica's
     * lanes alone: five probe intervals, time for a Redis restart to be seen and come back.
     */
    private Duration blip() {
        return this.redis.probeInterval().multipliedBy(5);
    }

    /** Joins (or rejoins) the account's queue; answers as {@link #ask}. */
    private Mono<List<Long>> join(Ticket ticket) {
        String stamp = (ticket.stamp != null) ? ticket.stamp.toString() : "";
        return this.redis
            .<List<Long>>command((redis) -> eval(redis, JOIN_SCRIPT, ScriptOutputType.MULTI,
                    new byte[][] { ticket.turnsKey, this.epochKey, ticket.inFlightKey, ticket.aliveKey }, ticket.id,
                    this.alivePrefix, Long.toString(this.lease.toMillis()), Long.toString(keepMillis()), stamp,
                    Long.toString(this.regroup.toMillis()),
                    Long.toString(TimeUnit.NANOSECONDS.toMicros(this.ticker.read() - ticket.arrived))))
            .doOnNext((answer) -> ticket.stamp = answer.get(2));
    }

    /** Whether the ticket has the turn now (see {@link #TURN}). */
    private Mono<List<Long>> ask(Ticket ticket) {
        return this.redis.<List<Long>>command((redis) -> eval(redis, TURN_SCRIPT, ScriptOutputType.MULTI,
                new byte[][] { ticket.turnsKey, this.epochKey, ticket.inFlightKey }, ticket.id, this.alivePrefix));
    }

    /**
     * Follows the answers to {@code question} until the ticket has the turn (emits the in-flight key's time
     * to live then) or {@code until} passed (emits {@link #NOT_IN_TIME}). A ticket the queue lost rejoins at
     * its own stamp. While Redis fails for less than {@link #blip()} the update keeps asking; past that the
     * wait ends with the error.
     */
    private Mono<Long> turn(Ticket ticket, long until, Mono<List<Long>> question) {
        return question.flatMap((answer) -> {
            long state = answer.get(0);
            if (state == 1) {
                return Mono.just(answer.get(1));
            }
            long left = until - this.ticker.read();
            if (left <= 0) {
                return Mono.just(NOT_IN_TIME);
            }
            if (state == -1) {
                return turn(ticket, until, join(ticket));
            }
            // In a regroup window the answer says how long it lasts; otherwise ask again after a poll.
            long pause = Math.min(left, (answer.get(1) > 0) ? TimeUnit.MILLISECONDS.toNanos(answer.get(1))
                    : POLL.toNanos());
            return ticket.nextWake(Duration.ofNanos(pause)).then(Mono.defer(() -> turn(ticket, until, ask(ticket))));
        })
            .onErrorResume((ex) -> this.redis.inFallbackFor().compareTo(blip()) < 0
                    && until - this.ticker.read() > POLL.toNanos() * 4, (ex) -> Mono.delay(POLL.multipliedBy(4))
                        .then(Mono.defer(() -> turn(ticket, until, (ticket.stamp != null) ? ask(ticket) : join(ticket)))));
    }

    /**
     * The account is this update's: waits out an attempt an earlier holder left that may still land
     * (the in-flight key's time to live, {@code inFlightTtl} ms), if that fits before {@code until}; else
     * lets the account go and refuses, saying how long the account stays busy.
     */
    private Mono<Held> settled(Ticket ticket, long until, long inFlightTtl) {
        if (inFlightTtl <= 0) {
            return Mono.just(ticket);
        }
        Duration settle = Duration.ofMillis(inFlightTtl);
        if (settle.toNanos() > until - this.ticker.read()) {
            ticket.release();
            return Mono.error(LaneRefusedException.busyFor(settle));
        }
        return Mono.delay(settle).thenReturn(ticket);
    }

    /**
     * Renews the lease of every update of this replica that waits or holds. An update the queue lost
     * while holding the turn (Redis lost its data) puts itself back at its own stamp, with its attempt's
     * settle window, within the regroup window; a waiting one rejoins when it next asks.
     */
    private Mono<Void> renew() {
        List<Ticket> all = new ArrayList<>(this.live.values());
        if (all.isEmpty() || !this.redis.shared()) {
            return Mono.empty();
        }
        return Flux.range(0, (all.size() + RENEW_BATCH - 1) / RENEW_BATCH).concatMap((batch) -> {
            List<Ticket> part = all.subList(batch * RENEW_BATCH, Math.min(all.size(), (batch + 1) * RENEW_BATCH));
            byte[][] aliveKeys = part.stream().map((ticket) -> ticket.aliveKey).toArray(byte[][]::new);
            return this.redis
                .<List<Long>>command((redis) -> redis
                    .<List<Long>>eval(RENEW_SCRIPT, ScriptOutputType.MULTI, aliveKeys,
                            bytes(Long.toString(this.lease.toMillis())))
                    .toCompletableFuture())
                .flatMapMany(Flux::fromIterable)
                .map((position) -> part.get(position.intValue() - 1))
                .filter((ticket) -> ticket.handedOver.get() && !ticket.released.get())
                .concatMap(this::reassert);
        }).onErrorResume((ex) -> Mono.empty()).then();
    }

    private Mono<Void> reassert(Ticket ticket) {
        long window = ticket.inFlightUntil - this.ticker.read();
        Mono<Void> inFlight = (ticket.inFlightUntil != 0 && window > 0)
                ? recordInFlight(ticket, Math.max(1, TimeUnit.NANOSECONDS.toMillis(window))).then() : Mono.empty();
        return inFlight.then(join(ticket)).then().onErrorResume((ex) -> Mono.empty());
    }

    /** Tells this replica's updates waiting for the account that an update of it ended: they ask at once. */
    private void wakeWaiters(int accountId) {
        for (Ticket ticket : this.live.values()) {
            if (ticket.accountId == accountId && !ticket.handedOver.get()) {
                ticket.wake();
            }
        }
    }

    private long keepMillis() {
        // The queue outlives its members' leases; members keep it alive by joining.
        return this.lease.toMillis() * 20;
    }

    private String key(String name) {
        return this.redis.key(name);
    }

    /** Records that an attempt of the ticket's account may land for {@code millis} from now. */
    private Mono<String> recordInFlight(Ticket ticket, long millis) {
        return this.redis.command((redis) -> redis.set(ticket.inFlightKey, ONE, SetArgs.Builder.px(millis))
            .toCompletableFuture());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> java.util.concurrent.CompletableFuture<T> eval(RedisAsyncCommands<byte[], byte[]> redis,
            byte[] script, ScriptOutputType type, byte[][] keys, String... args) {
        byte[][] values = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            values[i] = bytes(args[i]);
        }
        return redis.<T>eval(script, type, keys, values).toCompletableFuture();
    }

    private Mono<Held> offShared() {
        return this.redis.offShared(() -> Mono.just(Held.NONE));
    }

    /**
     * Marks this Redis as known to the replicas ({@code <prefix>epoch}), unless it already is: an empty
     * Redis found later (a restart that lost its data) opens a regroup window, a fresh one at start does
     * not. Redis unreachable at start: the first update after it answers opens one, once.
     */
    void start() {
        this.redis.<Boolean>command((redis) -> redis
            .setnx(this.epochKey, bytes("0"))
            .toCompletableFuture())
            .onErrorResume((ex) -> Mono.empty())
            .block(this.redis.timeout().multipliedBy(2));
    }

    @Override
    public void close() {
        this.renewals.dispose();
    }

    /** One update's place in its account's queue, and then its turn. */
    private final class Ticket implements Held {

        final int accountId;

        final String id;

        /** When the update arrived ({@link Ticker}): its place in the queue. */
        final long arrived;

        final byte[] aliveKey;

        final byte[] inFlightKey;

        /** The account's queue. */
        final byte[] turnsKey;

        final AtomicBoolean released = new AtomicBoolean();

        /** Whether the update has the account (then it, not the acquisition, lets it go). */
        final AtomicBoolean handedOver = new AtomicBoolean();

        /** Its place: Redis's clock in microseconds when it joined, kept when it rejoins. */
        volatile Long stamp;

        /** Until when ({@link Ticker}) an attempt of it may still land; 0 if none may. */
        volatile long inFlightUntil;

        private volatile Sinks.Empty<Void> wake = Sinks.empty();

        Ticket(int accountId, String id, long arrived) {
            this.accountId = accountId;
            this.id = id;
            this.arrived = arrived;
            this.aliveKey = bytes(RedisAccountLock.this.alivePrefix + id);
            this.inFlightKey = bytes(key("inflight:" + accountId));
            this.turnsKey = bytes(key("turns:" + accountId));
        }

        Mono<Void> nextWake(Duration atMost) {
            Sinks.Empty<Void> next = Sinks.empty();
            this.wake = next;
            return Mono.firstWithSignal(Mono.delay(atMost).then(), next.asMono());
        }

        void wake() {
            this.wake.tryEmitEmpty();
        }

        @Override
        public Mono<Void> attemptStarting(Duration landsWithin) {
            long window = Math.max(1, landsWithin.toMillis());
            return RedisAccountLock.this.redis
                .<Long>command((redis) -> eval(redis, ATTEMPT_SCRIPT, ScriptOutputType.INTEGER,
                        new byte[][] { this.turnsKey, this.aliveKey, this.inFlightKey }, this.id,
                        Long.toString(window)))
                .onErrorResume((ex) -> offShared().then(Mono.just(-1L)))
                .flatMap((recorded) -> {
                    if (recorded == 0) {
                        // Taken for dead (its lease ran out) and passed: another update may have the account now.
                        return Mono.error(LaneRefusedException.turnNotInTime());
                    }
                    if (recorded == 1) {
                        this.inFlightUntil = RedisAccountLock.this.ticker.read() + landsWithin.toNanos();
                    }
                    return Mono.empty();
                });
        }

        @Override
        public void attemptEnded(long settleUntilNanos) {
            long left = TimeUnit.NANOSECONDS.toMillis(settleUntilNanos - RedisAccountLock.this.ticker.read());
            this.inFlightUntil = (settleUntilNanos == 0 || left <= 0) ? 0 : settleUntilNanos;
            SharedRedis redis = RedisAccountLock.this.redis;
            Mono<?> update = (this.inFlightUntil == 0)
                    ? redis.<Long>command((commands) -> commands.del(this.inFlightKey).toCompletableFuture())
                    : recordInFlight(this, left);
            // A record left as it was only keeps the account a little longer (until the attempt's latest
            // possible landing), never shorter; the failure itself puts the replica in fallback.
            update.subscribe(null, (ex) -> {
            });
        }

        @Override
        public void release() {
            if (!this.released.compareAndSet(false, true)) {
                return;
            }
            RedisAccountLock.this.live.remove(this.id);
            RedisAccountLock.this.redis
                .<Long>command((redis) -> eval(redis, RELEASE_SCRIPT, ScriptOutputType.INTEGER,
                        new byte[][] { this.turnsKey, this.aliveKey }, this.id))
                .subscribe(null, (ex) -> {
                    // Its lease frees it: the next update waits at most that long.
                    RedisAccountLock.this.releaseFailures.increment();
                });
            wakeWaiters(this.accountId);
        }

    }

}
