package com.mailreachgateway.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The policy as operators run it: from its own file, reloaded while the gateway serves, with
 * dry runs, reject mode and the state-dependent rules, against a MailReach stub.
 */
@DirtiesContext
class PolicyIntegrationTests extends GatewayIntegrationTestSupport {

    private static final Path policyFile = createPolicyFile();

    @DynamicPropertySource
    static void policyFile(DynamicPropertyRegistry registry) {
        registry.add("gateway.policy-file", policyFile::toString);
        registry.add("gateway.policy-reload-interval", () -> "100ms");
    }

    @Autowired
    private PolicyEngine engine;

    @Autowired
    private MeterRegistry registry;

    @Test
    void changedCapInPolicyFileAppliesToTheNextRequestWithoutRestart() {
        activate(policy(20, "clamp"));
        dryRun(newAccountId(), CRM_KEY, "{\"config_rampup_target\": 30}").expectBody()
            .jsonPath("$.forward.config_rampup_target")
            .isEqualTo(20);

        activate(policy(25, "clamp"));

        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        update(id, CRM_KEY, "{\"config_rampup_target\": 30}").expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Policy-Adjusted", "config_rampup_target=30->25;rule=tier-cap")
            .expectHeader()
            .valueEquals("X-Policy-Version", this.engine.version());
        mailReach.verify(postRequestedFor(urlEqualTo(upstreamPath(id)))
            .withRequestBody(equalToJson("{\"config_rampup_target\": 25}")));
    }

    @Test
    void invalidPolicyFileIsRefusedAndThePreviousPolicyStaysActive() {
        activate(policy(18, "clamp"));
        String active = this.engine.version();
        double failures = failedReloads();

        write(policy(99, "clamp"));

        await().atMost(Duration.ofSeconds(5)).until(() -> failedReloads() > failures);
        assertThat(this.engine.version()).isEqualTo(active);
        dryRun(newAccountId(), CRM_KEY, "{\"config_rampup_target\": 30}").expectBody()
            .jsonPath("$.forward.config_rampup_target")
            .isEqualTo(18);
    }

    @Test
    void dryRunExplainsEveryDecisionAndSendsNoUpdateToMailReach() {
        activate(policy(19, "clamp"));

        dryRun(newAccountId(), CRM_KEY, "{\"config_rampup_target\": 30, \"first_name\": \"Ann\", "
                + "\"signature\": \"Hi<script>alert(1)</script>\"}")
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Policy-Tier", "standard")
            .expectBody()
            .jsonPath("$.dry_run")
            .isEqualTo(true)
            .jsonPath("$.tier")
            .isEqualTo("standard")
            .jsonPath("$.verdict")
            .isEqualTo("forward")
            .jsonPath("$.forward.config_rampup_target")
            .isEqualTo(19)
            .jsonPath("$.forward.first_name")
            .isEqualTo("Ann")
            .jsonPath("$.forward.signature")
            .value((signature) -> assertThat(signature.toString()).doesNotContain("script"))
            .jsonPath("$.decisions[?(@.rule == 'tier-cap' && @.action == 'clamp')].reason")
            .isNotEmpty()
            .jsonPath("$.decisions[?(@.rule == 'signature-hygiene')].action")
            .isEqualTo("sanitize");

        mailReach.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void rejectModeAnswers422ListingEveryViolatedRuleAndForwardsNothing() {
        activate(policy(17, "reject"));
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));

        update(id, CRM_KEY, "{\"config_rampup_target\": 30, \"config_rampup_increase\": 5}")
            .expectStatus()
            .isEqualTo(422)
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.type")
            .value((type) -> assertThat(type.toString()).endsWith("/policy-violation"))
            .jsonPath("$.violations.length()")
            .isEqualTo(2)
            .jsonPath("$.violations[?(@.field == 'config_rampup_target')].limit")
            .isEqualTo("17");

        mailReach.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void youngDomainRuleReadsTheAccountOnlyWhenAnUpdateTouchesAFieldItGoverns() {
        activate(policy(16, "clamp"));
        int id = newAccountId();
        String young = account(id).replace("\"creation_date\": \"2021-06-23T14:11:34.000Z\"",
                "\"creation_date\": \"" + Instant.now().minus(10, ChronoUnit.DAYS) + "\"");
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(young)));
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(young)));

        update(id, CRM_KEY, "{\"first_name\": \"Ann\"}").expectStatus().isOk();
        mailReach.verify(0, getRequestedFor(urlEqualTo(upstreamPath(id))));

        // The update above cached the account; a fresh cache entry serves the rule without a read.
        update(id, CRM_KEY, "{\"config_rampup_target\": 30}").expectStatus()
            .isOk()
            .expectHeader()
            .value("X-Policy-Adjusted", (adjusted) -> assertThat(adjusted).contains("config_rampup_target=30->10")
                .contains("rule=young-domain"));
        mailReach.verify(0, getRequestedFor(urlEqualTo(upstreamPath(id))));

        int uncached = newAccountId();
        String youngUncached = young.replace("\"id\": " + id + ",", "\"id\": " + uncached + ",");
        mailReach.stubFor(get(urlEqualTo(upstreamPath(uncached))).willReturn(okJson(youngUncached)));
        mailReach.stubFor(post(urlEqualTo(upstreamPath(uncached))).willReturn(okJson(youngUncached)));
        update(uncached, CRM_KEY, "{\"config_rampup_increase\": 2}").expectStatus()
            .isOk()
            .expectHeader()
            .value("X-Policy-Adjusted", (adjusted) -> assertThat(adjusted).contains("config_rampup_increase=2->1"));
        mailReach.verify(1, getRequestedFor(urlEqualTo(upstreamPath(uncached))));
    }

    @Test
    void updateWhenThePolicyReadsTheAccountAndMailReachAnswers200WithoutAnAccountAnswers502AndSendsNothing() {
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson("{\"status\": \"ok\"}")));
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));

        // young-domain governs the target, so the decision needs the account: its read is not one.
        update(id, CRM_KEY, "{\"config_rampup_target\": 30}").expectStatus()
            .isEqualTo(502)
            .expectBody()
            .jsonPath("$.type")
            .value((type) -> assertThat(type.toString()).endsWith("/upstream-unavailable"));

        mailReach.verify(1, getRequestedFor(urlEqualTo(upstreamPath(id))));
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(id))));
        // Nothing was cached: the next decision reads the account again.
        update(id, CRM_KEY, "{\"config_rampup_target\": 30}").expectStatus().isEqualTo(502);
        mailReach.verify(2, getRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    private double failedReloads() {
        return this.registry.get("gateway.policy.reloads").tag("result", "failure").counter().count();
    }

    private void activate(String policy) {
        String before = this.engine.version();
        write(policy);
        await().atMost(Duration.ofSeconds(5)).until(() -> !this.engine.version().equals(before));
    }

    private static String policy(int standardTarget, String tierCapMode) {
        return """
                gateway:
                  policy:
                    default-mode: clamp
                    default-tier: standard
                    tiers:
                      standard: {max-rampup-target: %d, max-rampup-increase: 2, max-conversations: 15}
                      premium: {max-rampup-target: 35, max-rampup-increase: 5, max-conversations: 35}
                    rules:
                      tier-cap: {mode: %s}
                      young-domain: {mode: clamp, min-age: 90d, max-rampup-target: 10, max-rampup-increase: 1, max-conversations: 5}
                      signature-hygiene: {mode: clamp}
                      consistency: {mode: "off"}
                """.formatted(standardTarget, tierCapMode);
    }

    private static Path createPolicyFile() {
        try {
            Path file = Files.createTempDirectory("policy").resolve("policy.yaml");
            Files.writeString(file, policy(20, "clamp"));
            return file;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void write(String policy) {
        try {
            Path next = policyFile.resolveSibling("policy.yaml.next");
            Files.writeString(next, policy);
            Files.move(next, policyFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** A dry run of an account MailReach knows (the young-domain rule may read it). */
    private WebTestClient.ResponseSpec dryRun(int id, String key, String body) {
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        return this.client.post()
            .uri("/api/v1/accounts/{id}?dry_run=true", id)
            .header("X-Api-Key", key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange();
    }


}
