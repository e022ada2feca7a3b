package com.mailreachgateway.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.mailreachgateway.MailReachGatewayApplication;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart and the application agree: the configuration, callers file and policy file the
 * chart renders start the real gateway under the prod profile, and it serves a caller with them.
 */
class ChartConfigurationIntegrationTests {

    private final WireMockServer mailReach = new WireMockServer(
            WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));

    @AfterEach
    void stop() {
        this.mailReach.stop();
    }

    @Test
    void renderedConfigurationStartsTheGatewayUnderProdAndServesAConfiguredCaller(@TempDir Path config)
            throws IOException {
        this.mailReach.start();
        this.mailReach.stubFor(get(urlEqualTo("/api/v1/accounts/55")).willReturn(okJson(GatewayIntegrationTestSupport.account(55))));
        this.mailReach.stubFor(post(urlEqualTo("/api/v1/accounts/55")).willReturn(okJson(GatewayIntegrationTestSupport.account(55))));
        List<Map<String, Object>> docs = HelmChartTests.render(HelmChartTests.MINIMAL, Map.of("mailreach.baseUrl", this.mailReach.baseUrl() + "/api",
                "callers[0].name", "crm", "callers[0].keySha256",
                "ac5dc248b7743c05a2f092058cc6a3a0f7120ddda97c2ab4eaee636dc03c259e", "callers[0].tier", "standard"));
        Map<String, Object> configMap = data(HelmChartTests.find(docs, "ConfigMap"));
        Map<String, Object> secret = data(HelmChartTests.find(docs, "Secret"));
        Path app = Files.createDirectories(config.resolve("app"));
        Path callers = Files.createDirectories(config.resolve("callers"));
        Path policy = Files.createDirectories(config.resolve("policy"));
        Files.writeString(app.resolve("application.yaml"), (String) configMap.get("application.yaml"));
        Files.writeString(policy.resolve("policy.yaml"), (String) configMap.get("policy.yaml"));
        Files.write(callers.resolve("application.yaml"), Base64.getDecoder().decode((String) secret.get("callers.yaml")));
        String apiKey = new String(Base64.getDecoder().decode((String) secret.get("mailreach-api-key")),
                StandardCharsets.UTF_8);

        // As the Deployment runs it, except ports (random here) and the mount root (a temp dir).
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(MailReachGatewayApplication.class)
            .profiles("prod")
            .run("--spring.config.additional-location=optional:file:" + app + "/,optional:file:" + callers + "/",
                    "--gateway.mailreach.api-key=" + apiKey, "--gateway.policy-file=" + policy.resolve("policy.yaml"),
                    "--server.port=0", "--management.server.port=0")) {
            int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));

            ResponseEntity<String> response = WebClient.create("http://localhost:" + port)
                .post()
                .uri("/api/v1/accounts/55")
                .header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"config_rampup_target\": 30, \"config_rampup_increase\": 1}")
                .retrieve()
                .toEntity(String.class)
                .block(java.time.Duration.ofSeconds(10));

            assertThat(response.getStatusCode().value()).isEqualTo(200);
            assertThat(response.getHeaders().getFirst("X-Policy-Adjusted")).contains("config_rampup_target=30->20");
            this.mailReach.verify(postRequestedFor(urlEqualTo("/api/v1/accounts/55"))
                .withHeader("X-Api-Key", equalTo("test-mailreach-key"))
                .withRequestBody(equalToJson("{\"config_rampup_target\": 20, \"config_rampup_increase\": 1}")));
            assertThat(context.getEnvironment().getProperty("gateway.sandbox.enabled")).isEqualTo("false");
        }
    }

    private static Map<String, Object> data(Map<String, Object> doc) {
        return cast(doc.get("data"));
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }

}
