package com.mailreachgateway.system;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import io.micrometer.context.ContextRegistry;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives every request an {@code X-Request-Id} (the caller's, when it is a sane token, else a
 * new one), echoes it, and puts it in the Reactor context so that every log line written
 * while serving the request carries it ({@code spring.reactor.context-propagation=auto}
 * copies it to the MDC).
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

    /**
     * A random id in UUID form. A request id needs to be unique, not unpredictable, so it comes from
     * {@link ThreadLocalRandom} rather than {@link UUID#randomUUID()}'s shared SecureRandom.
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

}
