package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.List;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.mailreachgateway.upstream.UpstreamAssertions.arrivalMillis;
import static com.mailreachgateway.upstream.UpstreamAssertions.assertOnlyGatewayKeySent;
import static com.mailreachgateway.upstream.UpstreamAssertions.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbound rate limit: 5 requests per second towards MailReach, a caller waiting at most
 * one second for a permit. A burst of concurrent updates to different accounts (so the
 * per-account lanes do not serialise them) must reach MailReach no faster than that.
 */
@TestPropertySource(properties = { "gateway.mailreach.rate-limit.requests-per-second=5",
        "gateway.mailreach.rate-limit.max-wait=1s" })
@DirtiesContext
class RateLimitIntegrationTests extends GatewayIntegrationTestSupport {

    private static final int RATE = 5;

    private static final int CALLERS = 20;

    /**
     * Slack on the one-second window. The limiter grants permits exactly 200 ms apart, so
     * request {@code i + 5} is granted exactly 1000 ms after request {@code i}, with no margin.
     * WireMock logs arrivals, not grants: a grant is delivered by a scheduler thread and the
     * request then crosses the event loop and loopback, which on two shared cores, right when
     * the burst's other callers are being turned away, has delayed single requests by up to
     * ~30 ms (and log stamps are whole milliseconds). One late request {@code i} makes a true
     * 1000 ms look like 970 ms. A limiter letting a sixth request into the second would show
     * a gap near 833 ms (even spacing) or far less (fixed windows), well outside this slack.
     */
    private static final long JITTER_MILLIS = 50;

    @Value("${local.server.port}")
    private int port;

    @Autowired
    private PermitBucket permits;

    @Test
    void updatesBurstingAboveRateReachMailReachAtMostFivePerSecondAndExcessCallersGet429() {
        mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+")).willReturn(accountOfPath()));
        WebClient gateway = WebClient.create("http://localhost:" + this.port);
        // One update first, so that the burst below finds the connection to MailReach open and
        // its requests travel alike.
        assertThat(send(gateway, newAccountId()).block(Duration.ofSeconds(5)).status()).isEqualTo(200);
        // And its token back in the bucket, so the burst's first caller gets one at once.
        await().atMost(Duration.ofSeconds(2)).until(() -> this.permits.timeToNextToken().isZero());

        List<Answer> answers = Flux.range(0, CALLERS)
            .map((i) -> newAccountId())
            .flatMap((id) -> send(gateway, id), CALLERS)
            .collectList()
            .block(Duration.ofSeconds(20));

        List<Answer> limited = answers.stream().filter((answer) -> answer.status() == 429).toList();
        List<Answer> forwarded = answers.stream().filter((answer) -> answer.status() == 200).toList();
        assertThat(limited).as("callers turned away by the rate limit").isNotEmpty();
        assertThat(limited).allSatisfy((answer) -> {
            UpstreamAssertions.Problem problem = problem(answer.headers(), answer.body(), 429, "rate-limited");
            assertThat(Integer.parseInt(problem.retryAfter())).isGreaterThanOrEqualTo(1);
        });
        assertThat(forwarded.size() + limited.size()).as("every caller got 200 or 429").isEqualTo(CALLERS);
        // Callers arriving together get permits 0, 200, ..., 1000 ms later; callers arriving up
        // to a few hundred ms apart (two shared cores) may get one or two more. Never all.
        assertThat(forwarded).hasSizeBetween(RATE, CALLERS / 2);
        for (Answer answer : limited) {
            mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(answer.id()))));
        }
        List<Long> arrivals = arrivalMillis(mailReach.findAll(postRequestedFor(urlPathMatching("/api/v1/.*"))));
        assertThat(arrivals).as("MailReach received one request per forwarded update (and the first one)")
            .hasSize(forwarded.size() + 1);
        for (int i = 0; i + RATE < arrivals.size(); i++) {
            // No window of one second holds more than RATE requests: request i + RATE comes at
            // least a second after request i.
            assertThat(arrivals.get(i + RATE) - arrivals.get(i))
                .as("ms from request %d to request %d, arrivals %s", i, i + RATE, arrivals)
                .isGreaterThanOrEqualTo(1000 - JITTER_MILLIS);
        }
        assertOnlyGatewayKeySent(mailReach);
    }

    private static Mono<Answer> send(WebClient gateway, int id) {
        return gateway.post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"config_rampup_increase\":2}")
            .exchangeToMono((response) -> response.bodyToMono(byte[].class)
                .defaultIfEmpty(new byte[0])
                .map((body) -> new Answer(id, response.statusCode().value(), response.headers().asHttpHeaders(),
                        body)));
    }

    /** What one caller got back. */
    private record Answer(int id, int status, HttpHeaders headers, byte[] body) {
    }

}
