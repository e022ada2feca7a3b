package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
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

    private volatile boolean connecting;

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

    /** Connects (or starts in fallback) and starts the probe. */
    void start() {
        if (!connect()) {
            markDown("unreachable at start");
        }
        long every = this.properties.probeInterval().toMillis();
        this.prober.scheduleWithFixedDelay(this::probe, every, every, TimeUnit.MILLISECONDS);
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

    private void probe() {
        try {
            if (this.connection == null) {
                if (connect()) {
                    markUp();
                }
                return;
            }
            this.connection.async().ping().toCompletableFuture().get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
            markUp();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (Exception ex) {
            markDown(describe(ex));
        }
    }

    /** Whether this replica runs on shared state now. */
    boolean shared() {
        return !this.fallback.get() && this.connection != null;
    }

    /** What a replica does while Redis is unreachable. */
    SharedStateProperties.OnFailure onFailure() {
        return this.properties.onFailure();
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
            markDown(describe(error));
        }
    }

    void markDown(String why) {
        if (this.fallback.compareAndSet(false, true)) {
            logger.warn("Redis unreachable ({}): this replica now runs on local state ({}); probing every {} ms", why,
                    (this.properties.onFailure() == SharedStateProperties.OnFailure.REFUSE)
                            ? "calls to MailReach refused with 503 shared-state-unavailable"
                            : "its share of the MailReach budget, its own pause",
                    this.properties.probeInterval().toMillis());
        }
    }

    private void markUp() {
        if (this.fallback.compareAndSet(true, false)) {
            logger.warn("Redis answers again: this replica is back on shared state");
        }
    }

    private static String describe(Throwable ex) {
        Throwable cause = (ex instanceof java.util.concurrent.CompletionException && ex.getCause() != null)
                ? ex.getCause() : ex;
        return cause.getClass().getSimpleName();
    }

    @Override
    public void close() {
        this.prober.shutdownNow();
        StatefulRedisConnection<byte[], byte[]> current = this.connection;
        if (current != null) {
            current.closeAsync();
        }
        this.client.shutdownAsync(0, 1, TimeUnit.SECONDS);
    }

}
