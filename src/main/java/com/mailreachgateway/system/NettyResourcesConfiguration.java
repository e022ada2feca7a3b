package com.mailreachgateway.system;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The gateway owns its Netty event loops instead of sharing Reactor Netty's global ones:
 * closing one application context (a graceful stop, or one of several contexts in a test JVM)
 * then frees only its own loops and never stops another context's server or client.
 */
@Configuration(proxyBeanMethods = false)
class NettyResourcesConfiguration {

    @Bean
    ReactorResourceFactory reactorResourceFactory() {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        return factory;
    }

}
