package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static com.mailreachgateway.upstream.UpstreamAssertions.assertOnlyGatewayKeySent;
import static com.mailreachgateway.upstream.UpstreamAssertions.receivedInOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Updates to one account reach MailReach one at a time, in arrival order, retries included,
 * so an older update never lands after a newer one; updates to different accounts do not
 * wait for each other.
 */
class AccountOrderIntegrationTests extends GatewayIntegrationTestSupport {

    @Value("${local.server.port}")
    private int port;

    @Test
    void updateWhileAnEarlierUpdateOfTheSameAccountIsRetriedWaitsAndReachesMailReachAfterIt() throws Exception {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).inScenario("order")
            .whenScenarioStateIs(STARTED)
            .withRequestBody(containing("\"config_rampup_target\":10"))
            .willReturn(aResponse().withStatus(503).withFixedDelay(300))
            .willSetStateTo("first failed"));
        mailReach.stubFor(post(urlEqualTo(path)).inScenario("order")
            .whenScenarioStateIs("first failed")
            .withRequestBody(containing("\"config_rampup_target\":10"))
            .willReturn(okJson(account(id, "config_rampup_target", "10"))));
        mailReach.stubFor(post(urlEqualTo(path)).withRequestBody(containing("\"config_rampup_target\":12"))
            .willReturn(okJson(account(id, "config_rampup_target", "12"))));
        WebClient gateway = gateway();

        CompletableFuture<Finished> first = send(gateway, id, 10).toFuture();
        // The second update is sent while the first one's failing attempt is in MailReach's hands.
        await().atMost(Duration.ofSeconds(2)).until(() -> !mailReach.findAll(postRequestedFor(urlEqualTo(path))).isEmpty());
        CompletableFuture<Finished> second = send(gateway, id, 12).toFuture();

        Finished older = first.get(10, TimeUnit.SECONDS);
        Finished newer = second.get(10, TimeUnit.SECONDS);
        assertThat(older.status()).isEqualTo(200);
        assertThat(older.body()).isEqualTo(account(id, "config_rampup_target", "10"));
        assertThat(newer.status()).isEqualTo(200);
        assertThat(newer.body()).isEqualTo(account(id, "config_rampup_target", "12"));
        // The order that counts is MailReach's: the two answers travel on two connections, and the
        // client may finish reading the later one first (seen: 4 ms apart on a loaded machine).
        List<LoggedRequest> received = receivedInOrder(mailReach, path);
        assertThat(received).extracting(LoggedRequest::getBodyAsString)
            .containsExactly("{\"config_rampup_target\":10}", "{\"config_rampup_target\":10}",
                    "{\"config_rampup_target\":12}");
        // The newer value is what the gateway now holds for the account.
        this.client.get()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Cache", "HIT")
            .expectBody(String.class)
            .isEqualTo(account(id, "config_rampup_target", "12"));
        assertOnlyGatewayKeySent(mailReach);
    }

    @Test
    void updatesOfDifferentAccountsRunInParallelSoASlowAccountDoesNotDelayAnother() throws Exception {
        int slow = newAccountId();
        int fast = newAccountId();
        // Slow but within the 600 ms response timeout, so it succeeds on its first attempt.
        mailReach.stubFor(post(urlEqualTo(upstreamPath(slow))).willReturn(okJson(account(slow)).withFixedDelay(500)));
        mailReach.stubFor(post(urlEqualTo(upstreamPath(fast))).willReturn(okJson(account(fast))));
        WebClient gateway = gateway();

        long start = System.nanoTime();
        CompletableFuture<Finished> slowUpdate = send(gateway, slow, 14).toFuture();
        await().atMost(Duration.ofSeconds(2))
            .until(() -> !mailReach.findAll(postRequestedFor(urlEqualTo(upstreamPath(slow)))).isEmpty());
        Finished fastDone = send(gateway, fast, 14).block(Duration.ofSeconds(5));
        Finished slowDone = slowUpdate.get(10, TimeUnit.SECONDS);

        assertThat(fastDone.status()).isEqualTo(200);
        assertThat(slowDone.status()).isEqualTo(200);
        assertThat(fastDone.body()).isEqualTo(account(fast));
        assertThat(slowDone.body()).isEqualTo(account(slow));
        // The fast account answered while the slow one was still waiting on MailReach.
        assertThat(fastDone.at()).isLessThan(slowDone.at());
        assertThat(Duration.ofNanos(slowDone.at() - fastDone.at())).isGreaterThan(Duration.ofMillis(150));
        assertThat(Duration.ofNanos(slowDone.at() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        assertOnlyGatewayKeySent(mailReach);
    }

    @Test
    void updateWhoseCallerLeftWhileItRanStillFinishesBeforeTheNextUpdateOfThatAccount() {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).withRequestBody(containing("\"config_rampup_target\":10"))
            .willReturn(okJson(account(id, "config_rampup_target", "10")).withFixedDelay(400)));
        mailReach.stubFor(post(urlEqualTo(path)).withRequestBody(containing("\"config_rampup_target\":12"))
            .willReturn(okJson(account(id, "config_rampup_target", "12"))));
        WebClient gateway = gateway();

        // The first caller gives up while MailReach is still working on its update.
        assertThatThrownBy(() -> send(gateway, id, 10).block(Duration.ofMillis(150)))
            .isInstanceOf(IllegalStateException.class);
        Finished newer = send(gateway, id, 12).block(Duration.ofSeconds(5));

        assertThat(newer.status()).isEqualTo(200);
        List<LoggedRequest> received = receivedInOrder(mailReach, path);
        assertThat(received).extracting(LoggedRequest::getBodyAsString)
            .containsExactly("{\"config_rampup_target\":10}", "{\"config_rampup_target\":12}");
        // The newer update went out only once MailReach had answered the older one.
        assertThat(received.get(1).getLoggedDate().getTime() - received.get(0).getLoggedDate().getTime())
            .isGreaterThanOrEqualTo(400);
        this.client.get()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .exchange()
            .expectBody(String.class)
            .isEqualTo(account(id, "config_rampup_target", "12"));
    }

    @Test
    void updateWhoseCallerLeftWhileWaitingForItsTurnIsNeverSentAndLaterUpdatesKeepOrder() throws Exception {
        int id = newAccountId();
        String path = upstreamPath(id);
        // WireMock tries the most recently added stub first: the slow one for 10 wins over this.
        mailReach.stubFor(post(urlEqualTo(path)).willReturn(okJson(account(id))));
        mailReach.stubFor(post(urlEqualTo(path)).withRequestBody(containing("\"config_rampup_target\":10"))
            .willReturn(okJson(account(id, "config_rampup_target", "10")).withFixedDelay(500)));
        WebClient gateway = gateway();

        CompletableFuture<Finished> first = send(gateway, id, 10).toFuture();
        await().atMost(Duration.ofSeconds(2)).until(() -> !mailReach.findAll(postRequestedFor(urlEqualTo(path))).isEmpty());
        // The second caller gives up while its update still waits behind the first.
        assertThatThrownBy(() -> send(gateway, id, 11).block(Duration.ofMillis(100)))
            .isInstanceOf(IllegalStateException.class);
        CompletableFuture<Finished> third = send(gateway, id, 12).toFuture();

        assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(third.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(receivedInOrder(mailReach, path)).extracting(LoggedRequest::getBodyAsString)
            .containsExactly("{\"config_rampup_target\":10}", "{\"config_rampup_target\":12}");
    }

    private WebClient gateway() {
        return WebClient.create("http://localhost:" + this.port);
    }

    private static Mono<Finished> send(WebClient gateway, int id, int rampupTarget) {
        return gateway.post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"config_rampup_target\":" + rampupTarget + "}")
            .exchangeToMono((response) -> response.bodyToMono(String.class)
                .defaultIfEmpty("")
                .map((body) -> new Finished(response.statusCode().value(), body, System.nanoTime())));
    }

    /** One update's answer and when it came back ({@link System#nanoTime()}). */
    private record Finished(int status, String body, long at) {
    }

}
