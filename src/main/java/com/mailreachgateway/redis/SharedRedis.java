package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

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

/**
 * The one Redis connection of this replica, and whether Redis is answering. Every command is
 * bounded by {@code spring.data.redis.timeout}; a command that fails or times out puts the replica
 * in fallback at once (one WARN line), and a probe every {@code gateway.redis.probe-interval}
 * brings it back to shared state when Redis answers again (one WARN line). Redis being down at
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

    /** The current stay in fallback; {@code null} while shared. */
    private volatile Outage outage;

    /** The last instant ({@link System#nanoTime()}) a command is known to have gone unanswered. */
    private final AtomicLong unanswered = new AtomicLong(System.nanoTime() - TimeUnit.DAYS.toNanos(1));

    private volatile Runnable keepAlive = () -> {
    };

    private volatile boolean closed;

    SharedRedis(ClientResources resources, RedisURI uri, SharedStateProperties properties, MeterRegistry registry) {
        this.uri = uri;
        this.timeout = uri.getTimeout();
        this.properties = properties;
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
        long sent = System.nanoTime();
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
                    markUp();
                }
                else {
                    unanswered(sent, ex);
                }
            });
    }

    /** Whether this replica runs on shared state now. */
    boolean shared() {
        return !this.fallback.get() && this.connection != null;
    }

    /** What a replica does while Redis is unreachable. */
    SharedStateProperties.OnFailure onFailure() {
        return this.properties.onFailure();
    }

    /** This replica's current stay in fallback; {@code null} while it runs on shared state. */
    Outage outage() {
        return this.outage;
    }

    /**
     * The last instant ({@link System#nanoTime()}) Redis is known not to have answered this replica: a
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
     */
    <T> Mono<T> command(Function<RedisAsyncCommands<byte[], byte[]>, CompletableFuture<T>> command) {
        return Mono.defer(() -> {
            StatefulRedisConnection<byte[], byte[]> current = connection();
            if (current == null) {
                return Mono.error(new IllegalStateException("Redis in fallback"));
            }
            long start = System.nanoTime();
            return Mono.fromFuture(() -> command.apply(current.async()), true)
                .timeout(this.timeout)
                .doOnSuccess((value) -> this.succeeded.record(System.nanoTime() - start, TimeUnit.NANOSECONDS))
                .doOnError((ex) -> {
                    this.failed.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    unanswered(start, ex);
                    markDown(describe(ex));
                })
                .publishOn(Schedulers.parallel());
        });
    }

    /** Times a call that went to Redis outside {@link #command} (the budget's), and reports its failure. */
    void record(long startNanos, Throwable error) {
        if (error == null) {
            this.succeeded.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }
        else {
            this.failed.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
            unanswered(startNanos, error);
            markDown(describe(error));
        }
    }

    /** Keeps the evidence a failed command gives that Redis did not answer (see {@link #lastUnanswered()}). */
    private void unanswered(long sentNanos, Throwable error) {
        Throwable cause = (error instanceof java.util.concurrent.CompletionException && error.getCause() != null)
                ? error.getCause() : error;
        long now = System.nanoTime();
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
        if (this.fallback.compareAndSet(false, true)) {
            this.outage = new Outage(System.nanoTime());
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
        if (this.fallback.compareAndSet(true, false)) {
            this.outage = null;
            logger.warn("Redis answers again: this replica is back on shared state");
        }
    }

    private static String describe(Throwable ex) {
        Throwable cause = (ex instanceof java.util.concurrent.CompletionException && ex.getCause() != null)
                ? ex.getCause() : ex;
        return cause.getClass().getSimpleName();
    }

    /**
     * One stay in fallback, from {@code since} ({@link System#nanoTime()}, when this replica found
     * Redis failing) until Redis answers its probe again; compared by identity.
     */
    static final class Outage {

        final long since;

        Outage(long since) {
            this.since = since;
        }

    }

    @Override
    public void close() {
        synchronized (this) {
            this.closed = true;
        }
        this.prober.shutdownNow();
        StatefulRedisConnection<byte[], byte[]> current = this.connection;
        if (current != null) {
            current.closeAsync();
        }
        this.client.shutdownAsync(0, 1, TimeUnit.SECONDS);
    }

}
