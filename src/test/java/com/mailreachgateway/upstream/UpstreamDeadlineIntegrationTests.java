package com.mailreachgateway.upstream;

import java.util.function.Supplier;

import com.github.tomakehurst.wiremock.client.MappingBuilder;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One deadline per request: the account read a rule needs and the update share it, and
 * answers MailReach's API does not document (redirects) are the gateway's problem, not the
 * caller's.
 */
@TestPropertySource(properties = "gateway.policy.rules.consistency.mode=reject")
class UpstreamDeadlineIntegrationTests extends GatewayIntegrationTestSupport {

    @Test
    void updateNeedingAnAccountReadAnswersWithinOneDeadlineForBothCalls() {
        int id = newAccountId();
        // consistency needs the current increase when only the target is sent: a GET, then the POST,
        // each throttled once for 2 s. Each fits a 3 s deadline alone; both together do not.
        throttledOnceThenOk(() -> get(urlEqualTo(upstreamPath(id))), "read", id);
        throttledOnceThenOk(() -> post(urlEqualTo(upstreamPath(id))), "write", id);

        update(id, CRM_KEY, "{\"config_rampup_target\": 10}").expectStatus()
            .isEqualTo(503)
            .expectBody()
            .jsonPath("$.type")
            .value((type) -> assertThat(type.toString()).endsWith("/upstream-throttled"));
        // The write's pause no longer fits what the read left of the deadline: refused, not waited out
        // (PauseAndPermitAdmissionTests), so the throttled POST is the only one MailReach saw.
        mailReach.verify(1, postRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void updateWhenMailReachRedirectsAnswers502WithoutRetrying() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id)))
            .willReturn(aResponse().withStatus(301).withHeader("Location", "https://elsewhere.example/api")));

        update(id, CRM_KEY, "{\"alive\": true}").expectStatus()
            .isEqualTo(502)
            .expectBody()
            .jsonPath("$.type")
            .value((type) -> assertThat(type.toString()).endsWith("/upstream-unavailable"));

        mailReach.verify(1, postRequestedFor(anyUrl()));
    }

    private static void throttledOnceThenOk(Supplier<MappingBuilder> request, String scenario, int id) {
        mailReach.stubFor(request.get().inScenario(scenario + id)
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2"))
            .willSetStateTo("ok"));
        mailReach.stubFor(request.get().inScenario(scenario + id).whenScenarioStateIs("ok").willReturn(okJson(account(id))));
    }

}
