package com.mailreachgateway.account;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.mailreachgateway.MailReachGatewayApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway primes its request path before it says it is ready, and without calling MailReach.
 */
class RequestPathWarmupIntegrationTests {

    private final WireMockServer mailReach = new WireMockServer(
            WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));

    private ConfigurableApplicationContext context;

    @AfterEach
    void stop() {
        if (this.context != null) {
            this.context.close();
        }
        this.mailReach.stop();
    }

    @Test
    void startPrimesTheRequestPathWhileNotYetReadyAndCallsNothingUpstream() {
        this.mailReach.start();

        this.context = new SpringApplicationBuilder(MailReachGatewayApplication.class).profiles("test")
            .run("--server.port=0", "--gateway.mailreach.base-url=http://127.0.0.1:" + this.mailReach.port() + "/api");

        RequestPathWarmup.Result primed = this.context.getBean(RequestPathWarmup.class).result();
        assertThat(primed).isNotNull();
        assertThat(primed.readinessWhilePriming()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
        assertThat(primed.servedThroughServer()).isPositive();
        assertThat(this.context.getBean(ApplicationAvailability.class).getReadinessState())
            .isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
        assertThat(this.mailReach.getAllServeEvents()).isEmpty();
    }

}
