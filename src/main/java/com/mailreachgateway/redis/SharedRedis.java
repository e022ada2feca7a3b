package com.mailreachgateway.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import com.mailreachgateway.system.Ticker;

/**
 * The one Redis connection of this replica, and whether Redis is answering. Every command is
 * bounded by {@code spring.data.redis.timeout}; a command that fails or times out puts the replica
 * in fallback at once (one WARN line), and a probe every {@code gateway.redis.probe-interval}
 * brings it back to shared state when Redis answers again (one WARN line), once the work this
 * replica could not do in Redis meanwhile is done ({@link #beforeRejoin}). Redis being down at
 * start is no reason to refuse to start: the replica starts in fallback.
 * <p>
 * It also keeps what the budget's join rules need (see {@link RedisPermitBucket}): each stay in
 * fallback as an {@link Outage}, and the last instant Redis is known not to have answered. For that,
 * probes in fallback go every interval whether or not the previous one has ended, and a probe whose
 * connection is closed makes a connection of its own (the client's reconnection backs off to 30 s,
 * and a refused command says nothing about Redis). While shared, a keep-alive runs every fifth of
 * the timeout.
 */
final class SharedRedis implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(SharedRedis.class);

    private final RedisClient client;

    private final RedisURI uri;

    private final Duration timeout;

    private final SharedStateProperties properties;

    private final AtomicBoolean fallback = new AtomicBoolean();

    private final ScheduledExecutorService prober;

    private final Timer succeeded;

    private final Timer failed;

    private volatile StatefulRedisConnection<byte[], byte[]> connection;

    private final List<Function<RedisAsyncCommands<byte[], byte[]>, CompletableFuture<?>>> rejoinTasks = new CopyOnWriteArrayList<>();

    /** How long after coming back this replica doubts copies stored before (see {@link #mayBeUndropped}). */
    private final Duration rejoinGrace;

    /** When this replica last came back to shared state ({@link Ticker}), and Redis's clock then. */
    private volatile long rejoinedNanos;

    private volatile long rejoinedRedisMillis = Long.MIN_VALUE;

    /** The current stay in fallback; {@code null} while shared. */
    private volatile Outage outage;

    /** The last instant ({@link Ticker}) a command is known to have gone unanswered. */
    private final AtomicLong unanswered;

    private volatile Runnable keepAlive = () -> {
    };

    private volatile boolean closed;

    /** Monotonic time of this replica: outages, rejoins, command durations. */
    private final Ticker ticker;

    SharedRedis(ClientResources resources, RedisURI uri, SharedStateProperties properties, MeterRegistry registry,
            Ticker ticker) {
        this.ticker = ticker;
        this.rejoinedNanos = ticker.read();
        this.unanswered = new AtomicLong(ticker.read() - TimeUnit.DAYS.toNanos(1));
        this.uri = uri;
        this.timeout = uri.getTimeout();
        this.properties = properties;
        // Another replica does its rejoin work at its first probe that finds Redis answering: within a probe
        // period and a timed-out probe of this replica's return, and a command to do it.
        this.rejoinGrace = properties.probeInterval().plus(this.timeout).multipliedBy(2);
        this.client = RedisClient.create(resources, uri);
        // Commands fail at once while disconnected instead of queueing until the timeout, and every
        // command, async ones included (the budget's), times out after spring.data.redis.timeout.
        this.client.setOptions(ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(this.timeout))
            .socketOptions(SocketOptions.builder().connectTimeout(this.timeout).build())
            .build());
        Gauge.builder("gateway.redis.fallback", this.fallback, (flag) -> flag.get() ? 1 : 0)
            .description("1 while Redis is unreachable and this replica runs on local state (gateway.redis.on-failure)")
            .register(registry);
        this.succeeded = commandTimer(registry, "success");
        this.failed = commandTimer(registry, "failure");
        this.prober = Executors.newSingleThreadScheduledExecutor((task) -> {
            Thread thread = new Thread(task, "redis-probe");
            thread.setDaemon(true);
            return thread;
        });
    }

    private static Timer commandTimer(MeterRegistry registry, String outcome) {
        // Buckets from 0.5 ms to the command timeout's range only, to keep the scrape small.
        return Timer.builder("gateway.redis.commands")
            .description("Redis commands of the shared state (bucket, pause, cache), by outcome")
            .tag("outcome", outcome)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(500_000))
            .maximumExpectedValue(Duration.ofSeconds(2))
            .register(registry);
    }

    /** Connects (or starts in fallback) and starts the probe and the keep-alive. */
    void start() {
        if (!connect()) {
            markDown("unreachable at start");
        }
        long every = this.properties.probeInterval().toNanos();
        this.prober.scheduleAtFixedRate(this::probe, every, every, TimeUnit.NANOSECONDS);
        long keepAliveEvery = keepAliveInterval().toNanos();
        this.prober.scheduleAtFixedRate(() -> {
            if (shared()) {
                this.keepAlive.run();
            }
        }, keepAliveEvery, keepAliveEvery, TimeUnit.NANOSECONDS);
    }

    /** How often the keep-alive runs while shared: a fifth of the command timeout. */
    Duration keepAliveInterval() {
        return this.timeout.dividedBy(5);
    }

    /** What to send to Redis every {@link #keepAliveInterval()} while shared (it reports through {@link #record}). */
    void keepAlive(Runnable task) {
        this.keepAlive = task;
    }

    private boolean connect() {
        try {
            this.connection = this.client.connect(ByteArrayCodec.INSTANCE, this.uri);
            return true;
        }
        catch (RuntimeException ex) {
            return false;
        }
    }

    /**
     * In fallback: a ping (or a new connection, if the client's is closed), not waiting for the previous
     * probe, so that an unanswered one tells at least every probe interval that Redis is still away.
     */
    private void probe() {
        if (this.outage == null || this.closed) {
            return;
        }
        long sent = this.ticker.read();
        StatefulRedisConnection<byte[], byte[]> current = this.connection;
        if (current != null && current.isOpen()) {
            ping(current, sent);
            return;
        }
        this.client.connectAsync(ByteArrayCodec.INSTANCE, this.uri).toCompletableFuture().whenComplete((fresh, ex) -> {
            if (ex != null) {
                unanswered(sent, ex);
                return;
            }
            synchronized (this) {
                StatefulRedisConnection<byte[], byte[]> previous = this.connection;
                if (this.closed || (previous != null && previous.isOpen())) {
                    // Closing, or another probe or the client's own reconnection got there first.
                    fresh.closeAsync();
                    return;
                }
                this.connection = fresh;
                if (previous != null) {
                    previous.closeAsync();
                }
            }
            ping(fresh, sent);
        });
    }

    private void ping(StatefulRedisConnection<byte[], byte[]> current, long sent) {
        current.async().ping().toCompletableFuture().orTimeout(this.timeout.toNanos(), TimeUnit.NANOSECONDS)
            .whenComplete((pong, ex) -> {
                if (ex == null) {
                    rejoinSoon();
                }
                else {
                    unanswered(sent, ex);
                }
            });
    }

    /** Redis answered a probe: the rejoin work (blocking, bounded by the timeout) runs on the prober's thread. */
    private void rejoinSoon() {
        try {
            this.prober.execute(() -> {
                long sent = this.ticker.read();
                try {
                    rejoin();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                catch (Exception ex) {
                    unanswered(sent, ex);
                }
            });
        }
        catch (java.util.concurrent.RejectedExecutionException closing) {
            // closing: nothing to rejoin
        }
    }

    /**
     * Back on shared state once Redis answers, after the work it must do there first (see
     * {@link #beforeRejoin}); a replica already on shared state has nothing to do.
     */
    private void rejoin() throws Exception {
        if (!this.fallback.get()) {
            return;
        }
        RedisAsyncCommands<byte[], byte[]> commands = this.connection.async();
        for (Function<RedisAsyncCommands<byte[], byte[]>, CompletableFuture<?>> task : this.rejoinTasks) {
            task.apply(commands).get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        List<byte[]> time = commands.time().toCompletableFuture().get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
        this.rejoinedRedisMillis = Long.parseLong(new String(time.get(0), StandardCharsets.US_ASCII)) * 1000
                + Long.parseLong(new String(time.get(1), StandardCharsets.US_ASCII)) / 1000;
        this.rejoinedNanos = this.ticker.read();
        markUp();
    }

    /**
     * Work this replica must finish on Redis before it uses shared state again after a fallback (a
     * failed run keeps it in fallback until the next probe): things it could not do in Redis meanwhile.
     */
    void beforeRejoin(Function<RedisAsyncCommands<byte[], byte[]>, CompletableFuture<?>> task) {
        this.rejoinTasks.add(task);
    }

    /**
     * Whether a shared copy stored at {@code storedAt} (Redis's clock) may be one another replica could
     * not drop while Redis was unreachable: it was stored before this replica came back, and the others
     * may not have done their own {@link #beforeRejoin} work yet, for at most two probe periods after
     * that. Such a copy is no longer known to be right.
     */
    boolean mayBeUndropped(Instant storedAt) {
        return this.ticker.read() - this.rejoinedNanos < this.rejoinGrace.toNanos()
                && storedAt.toEpochMilli() < this.rejoinedRedisMillis;
    }

    /** How long this replica has been in fallback; zero when it is on shared state. */
    Duration inFallbackFor() {
        Outage current = this.outage;
        return (current == null || shared()) ? Duration.ZERO : Duration.ofNanos(this.ticker.read() - current.since);
    }

    /** Whether this replica runs on shared state now. */
    boolean shared() {
        return !this.fallback.get() && this.connection != null;
    }

    /** What a replica does while Redis is unreachable. */
    SharedStateProperties.OnFailure onFailure() {
        return this.properties.onFailure();
    }

    /**
     * What work that needs shared state gets while Redis is away: with {@code gateway.redis.on-failure=refuse}
     * the 503 {@code shared-state-unavailable} (retry after a probe interval); otherwise nothing, and the
     * caller goes on with its local stand-in.
     */
    Optional<SharedStateUnavailableException> refusal() {
        return (this.properties.onFailure() == SharedStateProperties.OnFailure.REFUSE)
                ? Optional.of(new SharedStateUnavailableException(this.properties.probeInterval())) : Optional.empty();
    }

    /** Off shared state: the {@link #refusal()}, or else {@code local}. */
    <T> Mono<T> offShared(Supplier<Mono<T>> local) {
        return refusal().<Mono<T>>map(Mono::error).orElseGet(local);
    }

    /** This replica's current stay in fallback; {@code null} while it runs on shared state. */
    Outage outage() {
        return this.outage;
    }

    /**
     * The last instant ({@link Ticker}) Redis is known not to have answered this replica: a
     * command sent at {@code t} and timed out proves it up to {@code t + timeout}; a refused connection,
     * when it was refused. (A command the client refused while it reconnects proves nothing.)
     */
    long lastUnanswered() {
        return this.unanswered.get();
    }

    /** The connection, while Redis answers; {@code null} in fallback. */
    StatefulRedisConnection<byte[], byte[]> connection() {
        return shared() ? this.connection : null;
    }

    /** The monotonic time the shared-state classes built on this connection read. */
    Ticker ticker() {
        return this.ticker;
    }

    String key(String name) {
        return this.properties.keyPrefix() + name;
    }

    Duration timeout() {
        return this.timeout;
    }

    Duration probeInterval() {
        return this.properties.probeInterval();
    }

    /**
     * Runs one command, bounded by the timeout; its result arrives on a Reactor thread (never on
     * the Redis client's own). Fails with the command's error after putting the replica in fallback.
     * <p>
     * Every command is timed and its failure reported where it ends, on the command's own future,
     * whether or not anyone still waits for it: a caller that stopped waiting (its own timeout, a
     * cancelled update) must neither hide a failure nor leave it to Reactor's error hook, which
     * logs an error nobody handled as an ERROR with its stack trace. So the future Reactor waits on
     * never fails: it carries the command's end, value or error, and the error is raised here.
     */
    <T> Mono<T> command(Function<RedisAsyncCommands<byte[], byte[]>, CompletableFuture<T>> command) {
        return Mono.defer(() -> {
            StatefulRedisConnection<byte[], byte[]> current = connection();
            if (current == null) {
                return Mono.error(new IllegalStateException("Redis in fallback"));
            }
            long start = this.ticker.read();
            CompletableFuture<Ended<T>> ended;
            try {
                ended = command.apply(current.async()).handle((value, error) -> {
                    record(start, error);
                    return new Ended<>(value, error);
                });
            }
            catch (RuntimeException ex) {
                record(start, ex);
                return Mono.error(ex);
            }
            // Lettuce ends every command after the timeout (TimeoutOptions); this bound is for the
            // caller only, in case that end comes late: the command's own end is still recorded then.
            return Mono.fromFuture(ended, true)
                .timeout(this.timeout)
                .doOnError(TimeoutException.class, (ex) -> {
                    unanswered(start, ex);
                    markDown(describe(ex));
                })
                .flatMap(Ended::toMono)
                .publishOn(Schedulers.parallel());
        });
    }

    /** Times a call that went to Redis outside {@link #command} (the budget's), and reports its failure. */
    void record(long startNanos, Throwable error) {
        if (error == null) {
            this.succeeded.record(this.ticker.read() - startNanos, TimeUnit.NANOSECONDS);
        }
        else {
            this.failed.record(this.ticker.read() - startNanos, TimeUnit.NANOSECONDS);
            unanswered(startNanos, error);
            markDown(describe(error));
        }
    }

    /** Keeps the evidence a failed command gives that Redis did not answer (see {@link #lastUnanswered()}). */
    private void unanswered(long sentNanos, Throwable error) {
        Throwable cause = (error instanceof java.util.concurrent.CompletionException && error.getCause() != null)
                ? error.getCause() : error;
        long now = this.ticker.read();
        long until;
        if (cause instanceof TimeoutException || cause instanceof RedisCommandTimeoutException) {
            until = Math.min(now, sentNanos + this.timeout.toNanos());
        }
        else if (cause instanceof RedisConnectionException || cause instanceof java.io.IOException) {
            until = now;
        }
        else {
            return;
        }
        this.unanswered.accumulateAndGet(until, (a, b) -> (b - a > 0) ? b : a);
    }

    void markDown(String why) {
        // Commands cut short by this replica's own shutdown say nothing about Redis.
        if (!this.closed && this.fallback.compareAndSet(false, true)) {
            this.outage = new Outage(this.ticker.read());
            // At once: a replica cut off for a moment (a connection reset) comes back before its local
            // share would start.
            if (!this.prober.isShutdown()) {
                try {
                    this.prober.execute(this::probe);
                }
                catch (java.util.concurrent.RejectedExecutionException closing) {
                    // closing: nothing to probe for
                }
            }
            logger.warn("Redis unreachable ({}): this replica now runs on local state ({}); probing every {} ms", why,
                    (this.properties.onFailure() == SharedStateProperties.OnFailure.REFUSE)
                            ? "calls to MailReach refused with 503 shared-state-unavailable"
                            : "its share of the MailReach budget, its own pause",
                    this.properties.probeInterval().toMillis());
        }
    }

    private void markUp() {
        if (!this.closed && this.fallback.compareAndSet(true, false)) {
            this.outage = null;
            logger.warn("Redis answers again: this replica is back on shared state");
        }
    }

    private static String describe(Throwable ex) {
        Throwable cause = (ex instanceof CompletionException && ex.getCause() != null)
                ? ex.getCause() : ex;
        return cause.getClass().getSimpleName();
    }

    /**
     * One stay in fallback, from {@code since} ({@link Ticker}, when this replica found
     * Redis failing) until Redis answers its probe again; compared by identity.
     */
    static final class Outage {

        final long since;

        Outage(long since) {
            this.since = since;
        }

    }

    /**
     * Stops the probe, then lets the client close its connections, each once. (Closing the connection
     * first and the client at once after made the client close it a second time, while the first
     * close was still under way: Lettuce's {@code WARN Connection is already closed} at every stop.)
     * Synchronous, so that the connections are closed before Boot's Lettuce resources shut down.
     */
    @Override
    public void close() {
        synchronized (this) {
            this.closed = true;
        }
        this.prober.shutdownNow();
        try {
            // A probe under way may be opening a connection: it must be one the client closes below.
            this.prober.awaitTermination(this.timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        this.client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }

    /** How a command ended: its value, or its error. */
    private record Ended<T>(T value, Throwable error) {

        Mono<T> toMono() {
            if (this.error == null) {
                return Mono.justOrEmpty(this.value);
            }
            return Mono.error((this.error instanceof CompletionException && this.error.getCause() != null)
                    ? this.error.getCause() : this.error);
        }

    }

}
