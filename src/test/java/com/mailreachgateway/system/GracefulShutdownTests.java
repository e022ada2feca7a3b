package com.mailreachgateway.system;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.mailreachgateway.MailReachGatewayApplication;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A pod being stopped finishes the updates it has in flight before it goes. */
class GracefulShutdownTests {

    private final WireMockServer mailReach = new WireMockServer(
            WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));

    @AfterEach
    void stop() {
        this.mailReach.stop();
    }

    @Test
    void updateInFlightWhenTheGatewayIsAskedToStopCompletes() throws Exception {
        this.mailReach.start();
        this.mailReach.stubFor(post(urlEqualTo("/api/v1/accounts/77"))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(77)).withFixedDelay(1500)));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(MailReachGatewayApplication.class)
            .profiles("test")
            .run("--server.port=0", "--gateway.mailreach.base-url=" + this.mailReach.baseUrl() + "/api",
                    "--gateway.mailreach.response-timeout=5s", "--gateway.mailreach.deadline=10s");
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));

        CompletableFuture<ResponseEntity<String>> response = WebClient.create("http://localhost:" + port)
            .post()
            .uri("/api/v1/accounts/77")
            .header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"alive\": false}")
            .retrieve()
            .toEntity(String.class)
            .toFuture();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> !this.mailReach.findAll(postRequestedFor(urlEqualTo("/api/v1/accounts/77"))).isEmpty());

        context.close();

        assertThat(response).isCompleted();
        assertThat(response.get(1, TimeUnit.SECONDS).getStatusCode().value()).isEqualTo(200);
        assertThat(response.get(1, TimeUnit.SECONDS).getBody()).contains("\"id\": 77");
    }

}
