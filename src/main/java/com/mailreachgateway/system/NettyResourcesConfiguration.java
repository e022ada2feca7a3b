package com.mailreachgateway.system;

import java.util.function.Supplier;

import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The application's own Netty resources, instead of Reactor Netty's global ones: closing one
 * application context (a graceful stop, or one of several contexts in a test JVM) frees only its
 * own loops. These loops are the server's (the MailReach client runs on its own loop); the
 * connection pool is the one a feature supplies (MailReach's), created and closed with them.
 */
@Configuration(proxyBeanMethods = false)
class NettyResourcesConfiguration {

    @Bean
    ReactorResourceFactory reactorResourceFactory(ObjectProvider<Supplier<ConnectionProvider>> connectionPool) {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        connectionPool.ifAvailable(factory::setConnectionProviderSupplier);
        return factory;
    }

}
