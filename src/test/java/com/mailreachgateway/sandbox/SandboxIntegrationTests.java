package com.mailreachgateway.sandbox;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import com.mailreachgateway.support.RawHttp;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway as a new user runs it: default configuration, built-in sandbox, sandbox caller
 * keys, the full default policy, reached over real HTTP through the production client.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@AutoConfigureWebTestClient
class SandboxIntegrationTests {

    @DynamicPropertySource
    static void ports(DynamicPropertyRegistry registry) throws IOException {
        // The sandbox is reached at http://localhost:${server.port}, so the port must be known up front.
        try (ServerSocket socket = new ServerSocket(0)) {
            int port = socket.getLocalPort();
            registry.add("server.port", () -> port);
        }
        registry.add("management.server.port", () -> 0);
    }

    @Autowired
    private WebTestClient client;

    @LocalServerPort
    private int port;

    /**
     * A caller that reuses its connection and sends the next request the moment an answer arrives
     * gets every answer. Reactor Netty 1.3 could stop reading such a connection after a fast answer
     * (reactor/reactor-netty#4361; see {@code KeepAliveWorkaround}): here every few rounds.
     */
    @Test
    void requestsSentTheMomentTheLastAnswerArrivedOnOneConnectionAreAllAnswered() throws IOException {
        List<Integer> statuses = new ArrayList<>();
        try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(this.port)) {
            for (int round = 0; round < 60; round++) {
                // A read from MailReach, a cache hit answered at once, a read again, and a refusal
                // answered before its body is read.
                statuses.add(connection.send(read(true)));
                statuses.add(connection.send(read(false)));
                statuses.add(connection.send(read(true)));
                statuses.add(connection.send("POST /api/v1/accounts/1234 HTTP/1.1\r\nHost: gw\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"alive\": true}"));
            }
        }
        assertThat(statuses).hasSize(240).containsOnly(200, 401);
        assertThat(statuses.stream().filter((status) -> status == 401)).hasSize(60);
    }

    private static String read(boolean noCache) {
        return "GET /api/v1/accounts/1236 HTTP/1.1\r\nHost: gw\r\nX-Api-Key: sandbox-ops-key\r\n"
                + (noCache ? "Cache-Control: no-cache\r\n" : "") + "\r\n";
    }

    @Test
    void seedRequestWithSandboxCallerKeyReturnsTheAccount() {
        this.client.post()
            .uri("/api/v1/accounts/1234")
            .header("X-Api-Key", "sandbox-crm-key")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("""
                    {"config_rampup_target": 25, "config_rampup_increase": 2, "config_max_conversation_running": 10,
                     "time_zone": "Paris", "signature": "Best,<br/>John Doe", "first_name": "John", "last_name": "Doe",
                     "alive": true, "autopilot": true, "imap_issue": true, "config_smtp_append_after_sent": true,
                     "desc": "Primary sales mailbox", "alias": "john.doe@acme.com"}""")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Policy-Tier", "standard")
            .expectHeader()
            .value("X-Policy-Adjusted", (adjusted) -> assertThat(adjusted).contains("config_rampup_target=25->20"))
            .expectBody()
            .jsonPath("$.id")
            .isEqualTo(1234)
            .jsonPath("$.config_rampup_target")
            .isEqualTo(20)
            .jsonPath("$.time_zone")
            .isEqualTo("Europe/Paris")
            .jsonPath("$.domain.domain")
            .isEqualTo("acme.com");
    }

    @Test
    void youngDomainAccountIsClampedBelowItsTierCap() {
        this.client.post()
            .uri("/api/v1/accounts/1235")
            .header("X-Api-Key", "sandbox-ops-key")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"config_rampup_target\": 30}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .value("X-Policy-Adjusted", (adjusted) -> assertThat(adjusted).contains("config_rampup_target=30->10")
                .contains("rule=young-domain"))
            .expectBody()
            .jsonPath("$.config_rampup_target")
            .isEqualTo(10);
    }

    @Test
    void lowReputationAccountMayNotRaiseItsTarget() {
        this.client.post()
            .uri("/api/v1/accounts/1236")
            .header("X-Api-Key", "sandbox-crm-key")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"config_rampup_target\": 18}")
            .exchange()
            .expectStatus()
            .isEqualTo(422)
            .expectBody()
            .jsonPath("$.violations[0].rule")
            .isEqualTo("low-reputation");
    }

    @Test
    void accountTaggedWithTierUsesThatTier() {
        this.client.post()
            .uri("/api/v1/accounts/1237")
            .header("X-Api-Key", "sandbox-crm-key")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"config_rampup_target\": 30}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Policy-Tier", "premium")
            .expectHeader()
            .doesNotExist("X-Policy-Adjusted");
    }

    @Test
    void unknownAccountAnswers404FromTheSandbox() {
        this.client.get()
            .uri("/api/v1/accounts/999")
            .header("X-Api-Key", "sandbox-crm-key")
            .exchange()
            .expectStatus()
            .isNotFound()
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void sandboxRefusesAnyKeyButItsOwn() {
        this.client.get()
            .uri("/sandbox/api/v1/accounts/1234")
            .header("X-Api-Key", "sandbox-crm-key")
            .exchange()
            .expectStatus()
            .isUnauthorized();
    }

}
