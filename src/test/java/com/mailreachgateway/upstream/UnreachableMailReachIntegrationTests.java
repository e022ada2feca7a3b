package com.mailreachgateway.upstream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static com.mailreachgateway.upstream.UpstreamAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MailReach refusing connections: no request was ever written, so the caller hears that nothing
 * was sent (503 not-sent, safe to retry), not that something may have been applied.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@ActiveProfiles("test")
class UnreachableMailReachIntegrationTests {

    @DynamicPropertySource
    static void closedPort(DynamicPropertyRegistry registry) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        int closed = port;
        registry.add("gateway.mailreach.base-url", () -> "http://127.0.0.1:" + closed + "/api");
    }

    @Autowired
    private WebTestClient client;

    @Test
    void updateWhenMailReachRefusesConnectionsAnswers503NotSentWithinTheDeadline() {
        long start = System.nanoTime();
        UpstreamAssertions.Problem problem = assertProblem(this.client.post()
            .uri("/api/v1/accounts/{id}", 42)
            .header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"alive\": true}")
            .exchange(), 503, "not-sent");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(problem.detail()).contains("could not be reached").contains("nothing was applied");
        assertThat(problem.retryAfter()).isNotNull();
    }

}
