package com.mailreachgateway.upstream;

import org.junit.jupiter.api.Test;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.client.ReactorResourceFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's own Netty resources carry MailReach's connection pool, sized by
 * {@code gateway.mailreach.pool}, and not Reactor Netty's global ones.
 */
class MailReachConnectionPoolIntegrationTests extends GatewayIntegrationTestSupport {

    @Autowired
    private ReactorResourceFactory resources;

    @Autowired
    private MailReachProperties properties;

    @Test
    void applicationResourcesHoldMailReachsPoolSizedByItsProperties() {
        assertThat(this.resources.isUseGlobalResources()).isFalse();
        assertThat(this.resources.getConnectionProvider().name()).isEqualTo(MailReachClient.INSTANCE);
        assertThat(this.resources.getConnectionProvider().maxConnections())
            .isEqualTo(this.properties.pool().maxConnections());
    }

}
