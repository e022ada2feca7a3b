package com.mailreachgateway.system;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Works around a Reactor Netty 1.3 server bug (reactor/reactor-netty#4361, fixed upstream after
 * 1.3.8, the newest version this build can resolve): a keep-alive request that arrives before the
 * previous request's operations have terminated is buffered, and after it is served the connection
 * may stop reading, so the next request on it is never answered. Callers that reuse connections
 * (every HTTP client pool) met it after a fast answer such as a cache hit.
 * {@code reactor.netty.http.server.lastFlushWhenNoRead=true} terminates the previous operations
 * before the next request is read, so it is served at once instead of buffered. It must be set
 * before Reactor Netty's server classes load, hence here, before the application context exists;
 * an operator's own {@code -D} setting wins.
 */
public class KeepAliveWorkaround implements EnvironmentPostProcessor {

    static final String PROPERTY = "reactor.netty.http.server.lastFlushWhenNoRead";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
    }

}
