package com.mailreachgateway.upstream;

import java.time.Duration;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import com.mailreachgateway.upstream.UpstreamAssertions.Problem;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.mailreachgateway.upstream.UpstreamAssertions.assertOnlyGatewayKeySent;
import static com.mailreachgateway.upstream.UpstreamAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The circuit breaker around MailReach: a window of four attempts, one attempt per call, open
 * for one second, two trial calls while half-open. Each test gets a fresh breaker.
 */
@TestPropertySource(properties = { "gateway.mailreach.circuit-breaker.minimum-calls=4",
        "gateway.mailreach.circuit-breaker.sliding-window-size=4",
        "gateway.mailreach.circuit-breaker.open-duration=1s",
        "gateway.mailreach.circuit-breaker.half-open-calls=2", "gateway.mailreach.retry.max-attempts=1" })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
class CircuitBreakerIntegrationTests extends GatewayIntegrationTestSupport {

    private static final String UPDATE = "{\"config_rampup_target\":15}";

    @Autowired
    private CircuitBreaker mailReachCircuitBreaker;

    @Autowired
    private MeterRegistry meters;

    @Test
    void updateWhenMailReachKeepsFailingOpensCircuitAndAnswers503WithoutCallingMailReach() {
        int id = newAccountId();
        mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+")).willReturn(aResponse().withStatus(500)));

        for (int call = 1; call <= 4; call++) {
            assertThat(this.mailReachCircuitBreaker.getState()).as("before call %d", call)
                .isEqualTo(CircuitBreaker.State.CLOSED);
            assertProblem(update(id), 502, "upstream-unavailable");
        }
        assertThat(this.mailReachCircuitBreaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(circuitStateGauge("open")).isEqualTo(1.0);
        assertThat(circuitStateGauge("closed")).isEqualTo(0.0);
        mailReach.verify(4, postRequestedFor(urlEqualTo(upstreamPath(id))));

        int other = newAccountId();
        // Refused before any attempt (CallErrorsTests: the Retry-After is the open time left).
        Problem problem = assertProblem(update(other), 503, "circuit-open");

        assertThat(problem.retryAfter()).isEqualTo("1");
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(other))));
        mailReach.verify(4, anyRequestedFor(anyUrl()));
        assertOnlyGatewayKeySent(mailReach);
    }

    @Test
    void updateWhenMailReachAnswersClientErrorsKeepsCircuitClosed() {
        mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+")).willReturn(aResponse().withStatus(404)
            .withHeader("Content-Type", "application/json")
            .withBody("{\"message\":\"Account not found\"}")));

        for (int call = 0; call < 12; call++) {
            Problem problem = assertProblem(update(newAccountId()), 404, "upstream-client-error");
            assertThat(problem.detail()).isEqualTo("Account not found");
        }

        assertThat(this.mailReachCircuitBreaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(circuitStateGauge("closed")).isEqualTo(1.0);
        assertThat(circuitStateGauge("open")).isEqualTo(0.0);
        // Every call reached MailReach: none was refused by the breaker.
        mailReach.verify(12, postRequestedFor(urlPathMatching("/api/v1/accounts/\\d+")).withHeader("X-Api-Key",
                equalTo(MAILREACH_KEY)));
    }

    @Test
    void updateAfterOpenDurationWithMailReachHealthyAgainSucceedsAndClosesCircuit() {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(503)));
        for (int call = 0; call < 4; call++) {
            assertProblem(update(id), 502, "upstream-unavailable");
        }
        assertThat(this.mailReachCircuitBreaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        long openedAt = System.nanoTime();
        mailReach.resetAll();
        mailReach.stubFor(post(urlEqualTo(path)).willReturn(okJson(account(id))));

        // Calls while open are refused without reaching MailReach; the first one after the
        // open duration is a trial call that goes through.
        await().atMost(Duration.ofSeconds(3))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> update(id).returnResult(byte[].class).getStatus().value() == 200);
        assertThat(Duration.ofNanos(System.nanoTime() - openedAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(this.mailReachCircuitBreaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        mailReach.verify(1, postRequestedFor(urlEqualTo(path)));

        update(id).expectStatus().isOk().expectBody(String.class).isEqualTo(account(id));

        assertThat(this.mailReachCircuitBreaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(circuitStateGauge("closed")).isEqualTo(1.0);
        mailReach.verify(2, postRequestedFor(urlEqualTo(path)).withHeader("X-Api-Key", equalTo(MAILREACH_KEY)));
        assertOnlyGatewayKeySent(mailReach);
    }

    private WebTestClient.ResponseSpec update(int id) {
        return this.client.post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(UPDATE)
            .exchange();
    }

    /** {@code resilience4j_circuitbreaker_state{name="mailreach",state=...}}: 1 for the current state. */
    private double circuitStateGauge(String state) {
        Gauge gauge = this.meters.find("resilience4j.circuitbreaker.state")
            .tag("name", MailReachClient.INSTANCE)
            .tag("state", state)
            .gauge();
        assertThat(gauge).as("resilience4j.circuitbreaker.state{state=%s}", state).isNotNull();
        return gauge.value();
    }

}
