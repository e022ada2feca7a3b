package com.mailreachgateway.system;

import io.netty.handler.codec.http.HttpObjectDecoder;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Keeps the server's HTTP/1.1 framing strict. Netty 4.2 refuses a request that carries both
 * {@code Content-Length} and {@code Transfer-Encoding} (RFC 9112 section 6.1: the classic
 * request-smuggling shape) with 400 and closes the connection, but a JVM-wide system property
 * ({@value HttpObjectDecoder#PROP_RFC9112_TRANSFER_ENCODING}) switches that back to the old
 * behaviour of dropping {@code Content-Length} and reading the body as chunked. The gateway
 * refuses to start in that case rather than serve with lenient framing.
 */
@Configuration(proxyBeanMethods = false)
class HttpFramingConfiguration {

    @Bean
    NettyServerCustomizer strictHttpFraming() {
        if (!HttpObjectDecoder.RFC9112_TRANSFER_ENCODING) {
            throw new IllegalStateException("-D" + HttpObjectDecoder.PROP_RFC9112_TRANSFER_ENCODING
                    + "=false would let requests with both Content-Length and Transfer-Encoding through; "
                    + "the gateway refuses them (RFC 9112 section 6.1): remove the property");
        }
        return (server) -> server;
    }

}
