package com.mailreachgateway.system;

import com.mailreachgateway.MailReachGatewayApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code prod} profile can never silently talk to the simulator: it refuses to start
 * without a real MailReach, and when it starts the sandbox and its callers are gone.
 */
class ProductionProfileTests {

    @Test
    void prodProfileWithoutMailReachBaseUrlAndKeyRefusesToStart() {
        assertThatThrownBy(() -> start()).hasStackTraceContaining("gateway.mailreach")
            .hasStackTraceContaining("apiKey")
            .hasStackTraceContaining("base-url must be an absolute http(s) URL");
    }

    @Test
    void prodProfileWithRealMailReachStartsWithoutSandboxOrSandboxCallers() {
        try (ConfigurableApplicationContext context = start("--gateway.mailreach.base-url=https://mailreach.example/api",
                "--gateway.mailreach.api-key=prod-key")) {
            int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
            WebClient http = WebClient.create("http://localhost:" + port);

            assertThatThrownBy(() -> http.get().uri("/sandbox/api/v1/accounts/1234").header("X-Api-Key",
                    "sandbox-mailreach-key").retrieve().toBodilessEntity().block(java.time.Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(WebClientResponseException.class,
                        (ex) -> assertThat(ex.getStatusCode().value()).isEqualTo(404));
            assertThatThrownBy(() -> http.get().uri("/api/v1/accounts/1234").header("X-Api-Key", "sandbox-crm-key")
                .retrieve()
                .toBodilessEntity()
                .block(java.time.Duration.ofSeconds(10))).isInstanceOfSatisfying(WebClientResponseException.class,
                        (ex) -> assertThat(ex.getStatusCode().value()).isEqualTo(401));
        }
    }

    private static ConfigurableApplicationContext start(String... args) {
        String[] common = { "--server.port=0", "--management.server.port=0" };
        String[] all = new String[common.length + args.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(args, 0, all, common.length, args.length);
        return new SpringApplicationBuilder(MailReachGatewayApplication.class).profiles("prod").run(all);
    }

}
