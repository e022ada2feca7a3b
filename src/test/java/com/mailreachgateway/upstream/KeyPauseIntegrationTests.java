package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.List;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The limit is the company key's: one 429 pauses every call on it until {@code Retry-After} has
 * passed, then a single probe goes first. Test YAML: 600 ms per attempt, 3 s deadline, 1000
 * permits per second (so only the pause can hold calls back).
 */
class KeyPauseIntegrationTests extends GatewayIntegrationTestSupport {

    private static final int CALLERS = 20;

    @Autowired
    private MeterRegistry meters;

    @Test
    void whileMailReachAnswersEveryCall429OneProbeGoesPerRetryAfterAndCallersGet503WithTheWaitLeft() {
        mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/.*"))
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
        // The first call meets the 429; only then do the others come.
        int first = newAccountId();
        assertThat(send(concurrentCallers(), first).block(Duration.ofSeconds(5)).status()).isEqualTo(503);
        assertThat(pauseGauge()).as("the key's pause, in seconds").isPositive();
        long pausedAt = System.currentTimeMillis();

        List<Answer> answers = Flux.range(0, CALLERS)
            .flatMap((i) -> send(concurrentCallers(), newAccountId()), CALLERS)
            .collectList()
            .block(Duration.ofSeconds(10));

        assertThat(answers).hasSize(CALLERS).allSatisfy((answer) -> {
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.body()).contains("/problems/upstream-throttled");
            assertThat(answer.retryAfter()).isBetween(1, 2);
        });
        List<Long> probes = mailReach.findAll(postRequestedFor(anyUrl()))
            .stream()
            .map((request) -> request.getLoggedDate().getTime())
            .filter((at) -> at > pausedAt)
            .sorted()
            .toList();
        // Twenty callers for up to 3 s each, and MailReach heard one probe per second of pause.
        assertThat(probes).hasSizeBetween(1, 3);
        for (int i = 1; i < probes.size(); i++) {
            assertThat(probes.get(i) - probes.get(i - 1)).isGreaterThanOrEqualTo(900);
        }
    }

    @Test
    void afterThePauseTheProbeSucceedsAndEveryWaitingCallerIsServed() {
        mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/.*")).willReturn(accountOfPath()));
        int first = newAccountId();
        mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/" + first)).inScenario("throttled once")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
            .willSetStateTo("served"));
        mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/" + first)).inScenario("throttled once")
            .whenScenarioStateIs("served")
            .willReturn(okJson(account(first))));
        WebClient callers = concurrentCallers();
        var firstAnswer = send(callers, first).toFuture();
        await().atMost(Duration.ofSeconds(2)).until(() -> pauseGauge() > 0);

        List<Answer> answers = Flux.range(0, CALLERS)
            .flatMap((i) -> send(callers, newAccountId()), CALLERS)
            .collectList()
            .block(Duration.ofSeconds(10));

        // Everyone waited for the pause, then for the probe's answer, and was served (how long the wait
        // lasts: PauseAndPermitAdmissionTests).
        assertThat(answers).hasSize(CALLERS).allSatisfy((answer) -> assertThat(answer.status()).isEqualTo(200));
        assertThat(firstAnswer).succeedsWithin(Duration.ofSeconds(5)).extracting(Answer::status).isEqualTo(200);
        assertThat(pauseGauge()).isZero();
    }

    private double pauseGauge() {
        return this.meters.get("gateway.upstream.pause").gauge().value();
    }

    private static reactor.core.publisher.Mono<Answer> send(WebClient gateway, int id) {
        return gateway.post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"alive\": true}")
            .exchangeToMono((response) -> response.bodyToMono(String.class).defaultIfEmpty("").map((body) -> {
                String retryAfter = response.headers().asHttpHeaders().getFirst("Retry-After");
                return new Answer(response.statusCode().value(), body,
                        (retryAfter != null) ? Integer.parseInt(retryAfter) : -1);
            }));
    }

    /** One caller's answer. */
    record Answer(int status, String body, int retryAfter) {
    }

}
