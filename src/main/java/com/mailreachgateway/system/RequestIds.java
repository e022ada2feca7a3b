package com.mailreachgateway.system;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import io.micrometer.context.ContextRegistry;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives every request an {@code X-Request-Id} (the caller's, when it is a sane token, else a
 * new one), echoes it, and keeps it as an exchange attribute and in the Reactor context.
 * <p>
 * Log lines written while serving a request carry it in the MDC, put there by the code that logs
 * ({@link #inMdc}), not by thread-local propagation: {@code context-propagation=auto} restored the
 * MDC around every Reactor signal of every request, which cost more CPU than the rest of the
 * request path together, to serve the few lines a request writes. {@code limited} (the
 * default) still restores it in {@code handle} and {@code tap} operators.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestIds implements WebFilter {

    /** Header name, in and out. */
    public static final String HEADER = "X-Request-Id";

    /** Exchange attribute and MDC key holding the id. */
    public static final String ATTRIBUTE = "requestId";

    // Accept the caller's id only if it cannot break a log line or a header; a refused one is
    // replaced, never logged.
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    static {
        ContextRegistry.getInstance()
            .registerThreadLocalAccessor(ATTRIBUTE, () -> MDC.get(ATTRIBUTE), (id) -> MDC.put(ATTRIBUTE, id),
                    () -> MDC.remove(ATTRIBUTE));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String given = exchange.getRequest().getHeaders().getFirst(HEADER);
        String id = (given != null && SANE.matcher(given).matches()) ? given : newId();
        exchange.getAttributes().put(ATTRIBUTE, id);
        exchange.getResponse().getHeaders().set(HEADER, id);
        return chain.filter(exchange).contextWrite((context) -> context.put(ATTRIBUTE, id));
    }

    /** The request's id ({@code null} outside a request). */
    public static String of(ServerWebExchange exchange) {
        return exchange.getAttribute(ATTRIBUTE);
    }

    /** The id from a Reactor context ({@code null} when the context has none). */
    public static String of(ContextView context) {
        return context.getOrDefault(ATTRIBUTE, null);
    }

    /**
     * Puts {@code id} in the MDC until closed, for a log line written on a thread that serves
     * several requests; restores what was there before.
     */
    public static MdcScope inMdc(String id) {
        String previous = MDC.get(ATTRIBUTE);
        if (id != null) {
            MDC.put(ATTRIBUTE, id);
        }
        return () -> {
            if (previous != null) {
                MDC.put(ATTRIBUTE, previous);
            }
            else {
                MDC.remove(ATTRIBUTE);
            }
        };
    }

    /** The request id's stay in the MDC, closed without a checked exception. */
    @FunctionalInterface
    public interface MdcScope extends AutoCloseable {

        @Override
        void close();

    }

    /**
     * A random id in UUID form. A request id needs to be unique, not unpredictable, so it comes from
     * {@link ThreadLocalRandom} rather than {@link UUID#randomUUID()}'s shared SecureRandom.
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

}
