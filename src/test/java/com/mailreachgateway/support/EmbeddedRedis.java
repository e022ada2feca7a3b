package com.mailreachgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;

import io.lettuce.core.RedisURI;
import redis.embedded.RedisServer;

/**
 * A real {@code redis-server} (the binary embedded-redis ships, Redis 6.2) on a free loopback
 * port, without Docker. It can be stopped and started again on the same port, to test a Redis
 * that goes away and comes back. Nothing is persisted.
 */
public final class EmbeddedRedis implements AutoCloseable {

    private final int port;

    private RedisServer server;

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
            return this;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public synchronized void stop() {
        if (this.server != null) {
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
     * Freezes the server (SIGSTOP): connections stay open and commands queue unanswered, as on a Redis
     * host that stalls; {@link #thaw()} lets it answer them all. Linux only, as the embedded binary.
     */
    public synchronized void freeze() {
        signal("-STOP");
    }

    /** Lets a frozen server run again (SIGCONT). */
    public synchronized void thaw() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(pid())).inheritIO().start();
            if (!kill.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " failed");
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

    /** The redis-server process embedded-redis started (it keeps it in a private field). */
    private long pid() {
        if (this.server == null) {
            throw new IllegalStateException("not started");
        }
        try {
            java.lang.reflect.Field process = redis.embedded.RedisInstance.class.getDeclaredField("process");
            process.setAccessible(true);
            return ((Process) process.get(this.server)).pid();
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("embedded-redis no longer keeps its process where expected", ex);
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
