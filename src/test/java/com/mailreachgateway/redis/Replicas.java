package com.mailreachgateway.redis;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

/** What the shared-state tests ask of a running gateway replica (an application context). */
final class Replicas {

    private Replicas() {
    }

    /** The replica's {@code gateway_redis_fallback} gauge: 1 while it runs without Redis. */
    static double fallback(ConfigurableApplicationContext replica) {
        return replica.getBean(MeterRegistry.class).get("gateway.redis.fallback").gauge().value();
    }

    /** The body of a GET on the replica's management port. */
    static String management(ConfigurableApplicationContext replica, String path) {
        return WebClient.create("http://127.0.0.1:" + port(replica, "local.management.port"))
            .get()
            .uri(path)
            .exchangeToMono((response) -> response.bodyToMono(String.class))
            .block(Duration.ofSeconds(5));
    }

    /** A client of the replica's API port. */
    static WebClient client(ConfigurableApplicationContext replica) {
        return WebClient.create("http://127.0.0.1:" + port(replica, "local.server.port"));
    }

    static int port(ConfigurableApplicationContext context, String name) {
        return Integer.parseInt(context.getEnvironment().getProperty(name));
    }

}
