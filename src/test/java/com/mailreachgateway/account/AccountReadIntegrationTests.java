package com.mailreachgateway.account;

import java.time.Duration;
import java.util.List;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import com.mailreachgateway.support.MutableClock;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read-through account state: HIT, MISS, STALE and no-cache, against a MailReach stub, with a
 * clock the test moves so that ages need no sleeping.
 */
@Import(MutableClock.Config.class)
class AccountReadIntegrationTests extends GatewayIntegrationTestSupport {

    @Autowired
    private MutableClock clock;

    @Test
    void readWhenNotCachedFetchesFromMailReachThenServesFromCache() {
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));

        read(id).expectHeader().valueEquals("X-Cache", "MISS").expectHeader().valueEquals("Age", "0");
        this.clock.advance(Duration.ofSeconds(42));
        read(id).expectHeader()
            .valueEquals("X-Cache", "HIT")
            .expectHeader()
            .valueEquals("Age", "42")
            .expectBody()
            .jsonPath("$.id")
            .isEqualTo(id);

        mailReach.verify(1, getRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void readAfterUpdateServesWhatMailReachReturnedToTheUpdate() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id, "first_name", "\"Updated\""))));

        update(id, CRM_KEY, "{\"first_name\": \"Updated\"}").expectStatus().isOk();
        read(id).expectHeader().valueEquals("X-Cache", "HIT").expectBody().jsonPath("$.first_name").isEqualTo("Updated");

        mailReach.verify(0, getRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void readWhenCopyExpiredAndMailReachFailingServesStaleCopy() {
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        read(id).expectHeader().valueEquals("X-Cache", "MISS");

        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(serverError()));
        this.clock.advance(Duration.ofMinutes(10));

        read(id).expectHeader()
            .valueEquals("X-Cache", "STALE")
            .expectHeader()
            .valueEquals("Age", "600")
            .expectBody()
            .jsonPath("$.id")
            .isEqualTo(id);
    }

    @Test
    void readWhenCopyOlderThanStaleIfErrorAndMailReachFailingAnswers502() {
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        read(id).expectHeader().valueEquals("X-Cache", "MISS");

        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(serverError()));
        this.clock.advance(Duration.ofMinutes(61));

        this.client.get()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .exchange()
            .expectStatus()
            .isEqualTo(502)
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void readWithNoCacheForcesFreshReadFromMailReach() {
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        read(id).expectHeader().valueEquals("X-Cache", "MISS");

        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id, "first_name", "\"Fresh\""))));
        this.client.get()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .header("Cache-Control", "no-cache")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Cache", "MISS")
            .expectBody()
            .jsonPath("$.first_name")
            .isEqualTo("Fresh");
        read(id).expectHeader().valueEquals("X-Cache", "HIT").expectBody().jsonPath("$.first_name").isEqualTo("Fresh");
        mailReach.verify(2, getRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void readWhenMailReachAnswers404EvictsCachedCopy() {
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        read(id).expectHeader().valueEquals("X-Cache", "MISS");

        mailReach.stubFor(get(urlEqualTo(upstreamPath(id)))
            .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                .withBody("{\"error\": \"Account not found\"}")));
        this.clock.advance(Duration.ofMinutes(6));
        this.client.get()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .exchange()
            .expectStatus()
            .isNotFound()
            .expectBody()
            .jsonPath("$.detail")
            .isEqualTo("Account not found");

        // MailReach now fails: had the copy not been evicted, it would come back as STALE.
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(serverError()));
        this.client.get().uri("/api/v1/accounts/{id}", id).header("X-Api-Key", CRM_KEY).exchange().expectStatus().isEqualTo(502);
    }

    @Test
    void concurrentReadsOfUncachedAccountShareOneMailReachRead() {
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id)).withFixedDelay(300)));

        List<ReadAnswer> answers = readConcurrently(id, 10);

        assertThat(answers).hasSize(10).allSatisfy((answer) -> {
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.cache()).isEqualTo("MISS");
            assertThat(answer.body()).isEqualTo(account(id));
        });
        mailReach.verify(1, getRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void concurrentReadsSharingAFailedReadEachGetTheirOwnProblemWithTheirOwnRequestId() {
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id)))
            .willReturn(aResponse().withStatus(404).withBody("{\"message\":\"no such account\"}").withFixedDelay(300)));

        List<ReadAnswer> answers = readConcurrently(id, 10);

        assertThat(answers).hasSize(10).allSatisfy((answer) -> {
            assertThat(answer.status()).isEqualTo(404);
            assertThat(answer.body()).contains("\"requestId\":\"" + answer.requestId() + "\"")
                .contains("no such account");
        });
        mailReach.verify(1, getRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    private List<ReadAnswer> readConcurrently(int id, int callers) {
        WebClient gateway = concurrentCallers();
        return Flux.range(0, callers)
            .flatMap((i) -> gateway.get()
                .uri("/api/v1/accounts/{id}", id)
                .header("X-Api-Key", CRM_KEY)
                .header("X-Request-Id", "reader-" + i)
                .exchangeToMono((response) -> response.bodyToMono(String.class)
                    .defaultIfEmpty("")
                    .map((body) -> new ReadAnswer(response.statusCode().value(),
                            response.headers().asHttpHeaders().getFirst("X-Cache"), "reader-" + i, body))), callers)
            .collectList()
            .block(Duration.ofSeconds(10));
    }

    /** One concurrent reader's answer. */
    record ReadAnswer(int status, String cache, String requestId, String body) {
    }

    @Test
    void failedUpdateLeavesCachedStateUnchanged() {
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        read(id).expectHeader().valueEquals("X-Cache", "MISS");
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(serverError()));

        update(id, CRM_KEY, "{\"first_name\": \"Never\"}").expectStatus().isEqualTo(502);

        read(id).expectHeader().valueEquals("X-Cache", "HIT").expectBody().jsonPath("$.first_name").isEqualTo("John");
    }

    @Test
    void readWithoutKeyAnswers401AndReadsNothing() {
        int id = newAccountId();
        this.client.get().uri("/api/v1/accounts/{id}", id).exchange().expectStatus().isUnauthorized();
        mailReach.verify(0, getRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec read(int id) {
        return this.client.get().uri("/api/v1/accounts/{id}", id).header("X-Api-Key", CRM_KEY).exchange().expectStatus().isOk();
    }



}
