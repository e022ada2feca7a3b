package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.http.Fault;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static com.mailreachgateway.upstream.UpstreamAssertions.arrivalMillis;
import static com.mailreachgateway.upstream.UpstreamAssertions.assertProblem;
import static com.mailreachgateway.upstream.UpstreamAssertions.receivedInOrder;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-doubt model: an attempt that reached MailReach without an answer makes the update's
 * answer "may have been applied", whatever came after; its settle window holds the account's
 * lane, so no newer update can be overwritten by it landing late; and the cached copy is
 * dropped. Test YAML: 600 ms per attempt, 3 s deadline, so a 1.2 s settle window.
 */
@TestPropertySource(properties = "gateway.mailreach.retry.max-attempts=3")
class InDoubtIntegrationTests extends GatewayIntegrationTestSupport {

    private static final Duration SETTLE = Duration.ofMillis(1200);

    @Test
    void updateAnswered500ThenTimedOutThen500Answers504InDoubtNot502() {
        int id = newAccountId();
        String path = upstreamPath(id);
        inSequence(path, aResponse().withStatus(500), okJson(account(id)).withFixedDelay(1500),
                aResponse().withStatus(500));

        UpstreamAssertions.Problem problem = assertProblem(update(id, CRM_KEY, "{\"alive\": true}"), 504, "in-doubt");

        assertThat(problem.detail()).contains("may have been applied").contains("3 attempt");
        mailReach.verify(3, postRequestedFor(urlEqualTo(path)));
    }

    @Test
    void updateWhoseFirstAttemptTimedOutAnswers200AndTheNextUpdateWaitsForTheSettleWindow() {
        int id = newAccountId();
        String path = upstreamPath(id);
        inSequence(path, okJson(account(id)).withFixedDelay(1000), okJson(account(id)), okJson(account(id)));

        update(id, CRM_KEY, "{\"first_name\": \"first\"}").expectStatus().isOk();
        update(id, CRM_KEY, "{\"first_name\": \"second\"}").expectStatus().isOk();

        List<Long> arrivals = arrivalMillis(receivedInOrder(mailReach, path));
        assertThat(arrivals).hasSize(3);
        // The first attempt was given up after it arrived; it might land until 1.2 s after that, so
        // the next update reached MailReach only once it no longer could.
        assertThat(arrivals.get(2) - arrivals.get(0)).isGreaterThanOrEqualTo(SETTLE.toMillis());
        assertThat(receivedInOrder(mailReach, path).get(2).getBodyAsString()).contains("second");
    }

    @Test
    void inDoubtUpdateDropsTheCachedAccountSoTheNextReadAsksMailReach() {
        int id = newAccountId();
        String path = upstreamPath(id);
        inSequence(path, okJson(account(id)), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        mailReach.stubFor(get(urlEqualTo(path)).willReturn(okJson(account(id))));
        update(id, CRM_KEY, "{\"alive\": true}").expectStatus().isOk();
        read(id).expectHeader().valueEquals("X-Cache", "HIT");

        assertProblem(update(id, CRM_KEY, "{\"alive\": false}"), 504, "in-doubt");

        read(id).expectStatus().isOk().expectHeader().valueEquals("X-Cache", "MISS");
        mailReach.verify(1, getRequestedFor(urlEqualTo(path)));
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec read(int id) {
        return this.client.get().uri("/api/v1/accounts/{id}", id).header("X-Api-Key", CRM_KEY).exchange();
    }

    /** MailReach answers the n-th POST on {@code path} with the n-th response, the last one from then on. */
    static void inSequence(String path,
            com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder... responses) {
        String scenario = "sequence " + path;
        for (int i = 0; i < responses.length; i++) {
            var stub = post(urlEqualTo(path)).inScenario(scenario)
                .whenScenarioStateIs((i == 0) ? STARTED : "step " + i)
                .willReturn(responses[i]);
            if (i < responses.length - 1) {
                stub = stub.willSetStateTo("step " + (i + 1));
            }
            mailReach.stubFor(stub);
        }
    }

}
