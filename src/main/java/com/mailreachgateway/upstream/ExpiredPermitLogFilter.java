package com.mailreachgateway.upstream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Keeps the HTTP client from logging a WARN with the exception each time a permit expires before its
 * request could be written ({@link PermitCheckingConnector}): Reactor Netty logs every error a
 * connection's request callback returns, but this one is expected under load, nothing was sent, the
 * call takes a fresh permit, and {@code gateway_ratelimit_expired_total} counts it.
 * Registered in {@code logback-spring.xml}.
 */
public final class ExpiredPermitLogFilter extends TurboFilter {

    private static final String CLIENT_LOGGER = "reactor.netty.http.client.HttpClientConnect";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        return (t != null && CLIENT_LOGGER.equals(logger.getName()) && PermitCheckingConnector.expired(t))
                ? FilterReply.DENY : FilterReply.NEUTRAL;
    }

}
