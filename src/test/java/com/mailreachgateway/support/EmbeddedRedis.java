package com.mailreachgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import redis.embedded.RedisServer;

/**
 * A real {@code redis-server} (the binary embedded-redis ships, Redis 6.2) on a free loopback
 * port, without Docker. It can be stopped and started again on the same port, to test a Redis
 * that goes away and comes back, or frozen and thawed, to test one that stops answering without
 * closing its connections. Nothing is persisted.
 */
public final class EmbeddedRedis implements AutoCloseable {

    private final int port;

    private RedisServer server;

    private long pid;

    private boolean frozen;

    public EmbeddedRedis() {
        this.port = freePort();
    }

    public int port() {
        return this.port;
    }

    /** This Redis for a Lettuce client, every command bounded by {@code timeout}. */
    public RedisURI uri(Duration timeout) {
        return RedisURI.builder().withHost("127.0.0.1").withPort(this.port).withTimeout(timeout).build();
    }

    public synchronized EmbeddedRedis start() {
        try {
            this.server = RedisServer.newRedisServer()
                .bind("127.0.0.1")
                .port(this.port)
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
            this.server.start();
            this.pid = 0;
            return this;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public synchronized void stop() {
        if (this.server != null) {
            // A frozen process would ignore the stop signal until it runs again.
            thaw();
            try {
                this.server.stop();
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            this.server = null;
        }
    }

    /**
     * Freezes the running {@code redis-server} (SIGSTOP): it keeps its connections open and answers
     * nothing, as a Redis stalled by the machine or the network would, until {@link #thaw()}.
     */
    public synchronized void freeze() {
        signal("-STOP");
        this.frozen = true;
    }

    /** Lets a frozen {@code redis-server} run again (SIGCONT); it then answers what it received meanwhile. */
    public synchronized void thaw() {
        if (this.frozen) {
            signal("-CONT");
            this.frozen = false;
        }
    }

    private void signal(String signal) {
        if (this.server == null) {
            throw new IllegalStateException("Redis is not running");
        }
        if (this.pid == 0) {
            this.pid = pid();
        }
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(this.pid)).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + this.pid + " failed");
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** The server's process id, as it reports it itself ({@code INFO server}). */
    private long pid() {
        RedisClient client = RedisClient.create(uri(Duration.ofSeconds(2)));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync()
                .info("server")
                .lines()
                .filter((line) -> line.startsWith("process_id:"))
                .mapToLong((line) -> Long.parseLong(line.substring("process_id:".length()).trim()))
                .findFirst()
                .orElseThrow();
        }
        finally {
            client.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
