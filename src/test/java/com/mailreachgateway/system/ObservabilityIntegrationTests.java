package com.mailreachgateway.system;

import java.util.List;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What operators see: metrics on the management port, request ids and one audit line per
 * update in the logs, and never a key anywhere.
 */
@ExtendWith(OutputCaptureExtension.class)
class ObservabilityIntegrationTests extends GatewayIntegrationTestSupport {

    @Value("${local.management.port}")
    private int managementPort;

    @Test
    void prometheusEndpointExportsEveryMetricTheAlertsAndDashboardUse() {
        int id = newAccountId();
        // One retried update and one read, so that every meter has been touched.
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).inScenario("flaky")
            .whenScenarioStateIs(STARTED)
            .willReturn(serviceUnavailable())
            .willSetStateTo("healthy"));
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).inScenario("flaky")
            .whenScenarioStateIs("healthy")
            .willReturn(okJson(account(id))));
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id + 1))).willReturn(okJson(account(id + 1))));
        update(id, CRM_KEY, "{\"config_rampup_target\": 30}").expectStatus().isOk();
        this.client.get().uri("/api/v1/accounts/{id}", id + 1).header("X-Api-Key", CRM_KEY).exchange().expectStatus().isOk();

        String metrics = management("/actuator/prometheus");

        for (String name : MetricNames.GATEWAY_METRIC_NAMES) {
            assertThat(metrics).as("metric %s", name).containsPattern("(?m)^" + name + "[{ ]");
        }
        assertThat(metrics).contains("gateway_updates_total{application=\"mailreach-gateway\",caller=\"crm\",outcome=\"forwarded\"}")
            .contains("gateway_upstream_retries_total{application=\"mailreach-gateway\",reason=\"server_error\"}")
            .contains("resilience4j_circuitbreaker_state{application=\"mailreach-gateway\",name=\"mailreach\",state=\"closed\"} 1.0");
        // Never tagged by account id.
        assertThat(metrics).doesNotContain(Integer.toString(id));
    }

    @Test
    void keysNeverAppearInLogsResponsesOrActuator(CapturedOutput output) {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        update(id, CRM_KEY, "{\"alive\": true}").expectStatus().isOk();
        update(id, "a-wrong-key-that-must-not-be-logged", "{\"alive\": true}").expectStatus().isUnauthorized();

        List<String> surfaces = List.of(output.getAll(), management("/actuator/prometheus"), management("/actuator/info"),
                management("/actuator/health"), management("/actuator/metrics"));
        for (String surface : surfaces) {
            assertThat(surface).doesNotContain(MAILREACH_KEY, CRM_KEY, OPS_KEY, SALES_KEY,
                    "a-wrong-key-that-must-not-be-logged");
        }
    }

    @Test
    void everyUpdateWritesOneAuditLineCarryingTheRequestIdAndRedactingTheSignature(CapturedOutput output) {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));

        this.client.post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .header("X-Request-Id", "audit-test-" + id)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"signature\": \"Secret <b>text</b>\", \"config_rampup_increase\": 4}")
            .exchange()
            .expectStatus()
            .isOk();

        List<String> lines = output.getAll().lines().filter((line) -> line.contains("account=" + id)).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("audit-test-" + id, "caller=crm", "outcome=forwarded", "status=200",
                "config_rampup_increase=4->2;rule=tier-cap", "<redacted 18 chars>")
            .doesNotContain("Secret");
    }

    @Test
    void healthProbesAndInfoAreOnTheManagementPort() {
        assertThat(management("/actuator/health/liveness")).contains("UP");
        assertThat(management("/actuator/health/readiness")).contains("UP");
        assertThat(management("/actuator/info")).contains("\"policy\"").contains("version");
    }

    private String management(String path) {
        return WebClient.builder()
            .baseUrl("http://localhost:" + this.managementPort)
            .codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(8 * 1024 * 1024))
            .build()
            .get()
            .uri(path)
            .retrieve()
            .bodyToMono(String.class)
            .block(java.time.Duration.ofSeconds(10));
    }


}
