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
