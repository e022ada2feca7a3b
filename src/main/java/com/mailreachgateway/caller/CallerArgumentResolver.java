package com.mailreachgateway.caller;

import reactor.core.publisher.Mono;

import org.springframework.core.MethodParameter;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;
import org.springframework.web.server.ServerWebExchange;

/**
 * Resolves a {@link Caller} handler argument from the {@code X-Api-Key} header, so that a
 * handler that declares one is authenticated before its body is even read (401 comes first).
 */
@Component
class CallerArgumentResolver implements HandlerMethodArgumentResolver, WebFluxConfigurer {

    static final String HEADER = "X-Api-Key";

    private final CallerAuthenticator authenticator;

    CallerArgumentResolver(CallerAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
        configurer.addCustomResolver(this);
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return Caller.class.equals(parameter.getParameterType());
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext bindingContext,
            ServerWebExchange exchange) {
        String key = exchange.getRequest().getHeaders().getFirst(HEADER);
        return this.authenticator.authenticate(key)
            .<Mono<Object>>map(Mono::just)
            .orElseGet(() -> Mono.error(new UnknownCallerException(key == null || key.isBlank())));
    }

}
