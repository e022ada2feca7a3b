package com.mailreachgateway.upstream;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import com.mailreachgateway.upstream.UpstreamAssertions.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static com.mailreachgateway.upstream.UpstreamAssertions.assertOnlyGatewayKeySent;
import static com.mailreachgateway.upstream.UpstreamAssertions.assertProblem;
import static com.mailreachgateway.upstream.UpstreamAssertions.receivedInOrder;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How an update (and a read) behaves when MailReach fails: retries of 5xx, connection errors
 * and timeouts with backoff, waiting out a 429's {@code Retry-After}, no retry of other 4xx,
 * and the gateway error each failure ends in. Test YAML: backoff 40 ms doubling to 200 ms
 * without jitter, 4 attempts, 600 ms per attempt, 3 s deadline.
 */
class UpstreamResilienceIntegrationTests extends GatewayIntegrationTestSupport {

    /** Within the standard tier's caps, so the policy forwards it unchanged. */
    private static final String UPDATE = "{\"config_rampup_target\":18,\"first_name\":\"Jane\"}";

    private static final Duration DEADLINE = Duration.ofSeconds(3);

    @Autowired
    private MeterRegistry meters;

    @Test
    void updateWhenMailReachAnswers503TwiceRetriesAndReturnsAccount() {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).inScenario("flaky")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(503).withBody("{\"message\":\"down\"}"))
            .willSetStateTo("failed once"));
        mailReach.stubFor(post(urlEqualTo(path)).inScenario("flaky")
            .whenScenarioStateIs("failed once")
            .willReturn(aResponse().withStatus(503))
            .willSetStateTo("failed twice"));
        mailReach.stubFor(post(urlEqualTo(path)).inScenario("flaky")
            .whenScenarioStateIs("failed twice")
            .willReturn(okJson(account(id))));
        double retriedCalls = retryCalls("successful_with_retry");
        double serverErrorRetries = upstreamRetries("server_error");

        update(id, CRM_KEY).expectStatus()
            .isOk()
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
            .expectHeader()
            .exists("X-Request-Id")
            .expectHeader()
            .valueEquals("X-Policy-Tier", "standard")
            .expectBody(String.class)
            .isEqualTo(account(id));

        mailReach.verify(3, postRequestedFor(urlEqualTo(path)).withHeader("X-Api-Key", equalTo(MAILREACH_KEY))
            .withHeader(HttpHeaders.CONTENT_TYPE, equalTo(MediaType.APPLICATION_JSON_VALUE))
            .withRequestBody(equalToJson(UPDATE)));
        List<LoggedRequest> posts = receivedInOrder(mailReach, path);
        assertThat(posts).hasSize(3);
        assertThat(posts).extracting(LoggedRequest::getBodyAsString).containsOnly(posts.get(0).getBodyAsString());
        assertOnlyGatewayKeySent(mailReach);
        assertThat(retryCalls("successful_with_retry")).isEqualTo(retriedCalls + 1);
        assertThat(upstreamRetries("server_error")).isEqualTo(serverErrorRetries + 2);
    }

    @ParameterizedTest
    @ValueSource(ints = { 400, 404, 422 })
    void updateWhenMailReachAnswersClientErrorPassesStatusAndMessageOnWithoutRetry(int status) {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(status)
            .withHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
            .withBody("{\"message\":\"MailReach says " + status + ": config_rampup_target is not allowed now\"}")));

        Problem problem = assertProblem(update(id, CRM_KEY), status, "upstream-client-error");

        assertThat(problem.detail()).isEqualTo("MailReach says " + status + ": config_rampup_target is not allowed now");
        assertThat(problem.retryAfter()).isNull();
        mailReach.verify(1, postRequestedFor(urlEqualTo(path)).withHeader("X-Api-Key", equalTo(MAILREACH_KEY)));
        assertOnlyGatewayKeySent(mailReach);
    }

    @ParameterizedTest
    @ValueSource(ints = { 401, 403 })
    void updateWhenMailReachRefusesTheGatewayKeyAnswers502AuthErrorWithoutRetry(int status) {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path))
            .willReturn(aResponse().withStatus(status).withBody("{\"error\":\"invalid api key\"}")));

        Problem problem = assertProblem(update(id, CRM_KEY), 502, "upstream-auth-error");

        // The caller is not told MailReach's words about the company key.
        assertThat(problem.detail()).doesNotContain("invalid api key");
        mailReach.verify(1, postRequestedFor(urlEqualTo(path)).withHeader("X-Api-Key", equalTo(MAILREACH_KEY)));
        assertOnlyGatewayKeySent(mailReach);
    }

    @Test
    void updateWhenMailReachAnswers429WithRetryAfterSecondsWaitsThenReturnsAccount() {
        int id = newAccountId();
        String path = upstreamPath(id);
        stubThrottledOnceThenOk(id, "1");
        double throttledRetries = upstreamRetries("throttled");

        update(id, CRM_KEY).expectStatus().isOk().expectBody(String.class).isEqualTo(account(id));

        mailReach.verify(2, postRequestedFor(urlEqualTo(path)).withHeader("X-Api-Key", equalTo(MAILREACH_KEY))
            .withRequestBody(equalToJson(UPDATE)));
        List<LoggedRequest> posts = receivedInOrder(mailReach, path);
        // Retry-After: 1 means one second; 100 ms of slack for millisecond log stamps and scheduling.
        assertThat(gapMillis(posts.get(0), posts.get(1))).isGreaterThanOrEqualTo(900);
        assertThat(upstreamRetries("throttled")).isEqualTo(throttledRetries + 1);
        assertOnlyGatewayKeySent(mailReach);
    }

    @Test
    void updateWhenMailReachAnswers429WithRetryAfterDateWaitsUntilThatDateThenReturnsAccount() {
        int id = newAccountId();
        String path = upstreamPath(id);
        // An HTTP-date has whole seconds: two seconds ahead, truncated, is 1 to 2 s from now.
        ZonedDateTime retryAt = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        stubThrottledOnceThenOk(id, DateTimeFormatter.RFC_1123_DATE_TIME.format(retryAt));

        update(id, CRM_KEY).expectStatus().isOk().expectBody(String.class).isEqualTo(account(id));

        List<LoggedRequest> posts = receivedInOrder(mailReach, path);
        assertThat(posts).hasSize(2);
        // The retry must not reach MailReach before the date it named (50 ms for clock and log stamp granularity).
        assertThat(posts.get(1).getLoggedDate().toInstant())
            .isAfterOrEqualTo(retryAt.toInstant().minusMillis(50));
        assertThat(gapMillis(posts.get(0), posts.get(1))).isGreaterThanOrEqualTo(900);
        assertOnlyGatewayKeySent(mailReach);
    }

    @Test
    void updateWhenMailReachAnswers429WithoutRetryAfterBacksOffThenReturnsAccount() {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).inScenario("throttled")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(429))
            .willSetStateTo("waited"));
        mailReach.stubFor(post(urlEqualTo(path)).inScenario("throttled")
            .whenScenarioStateIs("waited")
            .willReturn(okJson(account(id))));

        update(id, CRM_KEY).expectStatus().isOk().expectBody(String.class).isEqualTo(account(id));

        List<LoggedRequest> posts = receivedInOrder(mailReach, path);
        assertThat(posts).hasSize(2);
        assertThat(gapMillis(posts.get(0), posts.get(1))).isGreaterThanOrEqualTo(40 - 1);
    }

    @Test
    void updateWhenMailReachAnswers429WithRetryAfterZeroRetriesAtOnceAndReturnsAccount() {
        int id = newAccountId();
        stubThrottledOnceThenOk(id, "0");

        update(id, CRM_KEY).expectStatus().isOk().expectBody(String.class).isEqualTo(account(id));

        mailReach.verify(2, postRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void updateWhenMailReachAnswers200WithoutAnAccountAnswers502WithoutRetry() {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
            .withHeader(HttpHeaders.CONTENT_TYPE, MediaType.TEXT_HTML_VALUE)
            .withBody("<html>maintenance</html>")));

        Problem problem = assertProblem(update(id, CRM_KEY), 502, "upstream-unavailable");

        assertThat(problem.detail()).doesNotContain("maintenance");
        // The update may have been applied: resending it blindly is not the gateway's call.
        mailReach.verify(1, postRequestedFor(urlEqualTo(path)));
        // Nothing was cached from it.
        mailReach.stubFor(get(urlEqualTo(path)).willReturn(okJson(account(id))));
        this.client.get()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Cache", "MISS");
    }

    @Test
    void updateWhenMailReachRetryAfterExceedsDeadlineAnswers503ThrottledAtOnce() {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path))
            .willReturn(aResponse().withStatus(429).withHeader(HttpHeaders.RETRY_AFTER, "120")));

        // Not waited out: PauseAndPermitAdmissionTests proves a pause beyond the deadline is refused at once.
        Problem problem = assertProblem(update(id, CRM_KEY), 503, "upstream-throttled");

        assertThat(problem.retryAfter()).isEqualTo("120");
        assertThat(problem.body().get("retryAfterSeconds").asInt()).isEqualTo(120);
        mailReach.verify(1, postRequestedFor(urlEqualTo(path)).withHeader("X-Api-Key", equalTo(MAILREACH_KEY)));
        assertOnlyGatewayKeySent(mailReach);
    }

    @Test
    void updateWhenMailReachAlwaysAnswers500Answers502UnavailableAfterFourAttempts() {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(500).withBody("boom")));
        double failedCalls = retryCalls("failed_with_retry");

        Problem problem = assertProblem(update(id, CRM_KEY), 502, "upstream-unavailable");

        assertThat(problem.detail()).contains("HTTP 500").contains("4 attempt");
        assertThat(problem.retryAfter()).isNull();
        mailReach.verify(4, postRequestedFor(urlEqualTo(path)).withHeader("X-Api-Key", equalTo(MAILREACH_KEY))
            .withRequestBody(equalToJson(UPDATE)));
        assertBackoffBetween(receivedInOrder(mailReach, path));
        assertThat(retryCalls("failed_with_retry")).isEqualTo(failedCalls + 1);
        assertOnlyGatewayKeySent(mailReach);
    }

    @Test
    void updateWhenMailReachIsSlowerThanResponseTimeoutAnswers504InDoubtWithinDeadline() {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).willReturn(okJson(account(id)).withFixedDelay(2000)));

        long start = System.nanoTime();
        Problem problem = assertProblem(update(id, CRM_KEY), 504, "in-doubt");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(problem.detail()).contains("may have been applied");
        // Four attempts of 600 ms plus 40 + 80 + 160 ms of backoff fit in the 3 s deadline, and none
        // is cut short for it: the answer comes within the deadline because each attempt fits it.
        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(4 * 600)).isLessThan(DEADLINE.plusMillis(300));
        mailReach.verify(4, postRequestedFor(urlEqualTo(path)).withHeader("X-Api-Key", equalTo(MAILREACH_KEY)));
        assertOnlyGatewayKeySent(mailReach);
    }

    @Test
    void updateWhenMailReachResetsTheConnectionAfterTheRequestAnswers504InDoubtAfterFourAttempts() {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        double ioRetries = upstreamRetries("io_error");

        Problem problem = assertProblem(update(id, CRM_KEY), 504, "in-doubt");

        // MailReach read the request before it dropped the connection: it may have applied it.
        assertThat(problem.detail()).contains("may have been applied").contains("4 attempt");
        // Each attempt is one request: a transport-level resend would bypass backoff and rate limit.
        mailReach.verify(4, postRequestedFor(urlEqualTo(path)).withHeader("X-Api-Key", equalTo(MAILREACH_KEY)));
        assertBackoffBetween(receivedInOrder(mailReach, path));
        assertThat(upstreamRetries("io_error")).isEqualTo(ioRetries + 3);
        assertOnlyGatewayKeySent(mailReach);
    }

    @Test
    void readWhenMailReachIsSlowAndNothingIsCachedAnswers504WithinDeadline() {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(get(urlEqualTo(path)).willReturn(okJson(account(id)).withFixedDelay(2000)));

        long start = System.nanoTime();
        assertProblem(this.client.get().uri("/api/v1/accounts/{id}", id).header("X-Api-Key", CRM_KEY).exchange(), 504,
                "upstream-timeout");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(elapsed).isLessThan(DEADLINE.plusSeconds(2));
        mailReach.verify(4, getRequestedFor(urlEqualTo(path)).withHeader("X-Api-Key", equalTo(MAILREACH_KEY)));
        assertOnlyGatewayKeySent(mailReach);
    }

    private WebTestClient.ResponseSpec update(int id, String callerKey) {
        return this.client.post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", callerKey)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(UPDATE)
            .exchange();
    }

    private void stubThrottledOnceThenOk(int id, String retryAfter) {
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).inScenario("throttled")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(429).withHeader(HttpHeaders.RETRY_AFTER, retryAfter))
            .willSetStateTo("waited"));
        mailReach.stubFor(post(urlEqualTo(path)).inScenario("throttled")
            .whenScenarioStateIs("waited")
            .willReturn(okJson(account(id))));
    }

    /** Attempts were spaced by the configured backoff (40, 80, 160 ms), not sent back to back. */
    private static void assertBackoffBetween(List<LoggedRequest> attempts) {
        assertThat(attempts).hasSize(4);
        long[] backoffs = { 40, 80, 160 };
        for (int i = 0; i < backoffs.length; i++) {
            // Log stamps are whole milliseconds, hence the one millisecond of slack.
            assertThat(gapMillis(attempts.get(i), attempts.get(i + 1))).isGreaterThanOrEqualTo(backoffs[i] - 1);
        }
    }

    private static long gapMillis(LoggedRequest first, LoggedRequest second) {
        return second.getLoggedDate().getTime() - first.getLoggedDate().getTime();
    }

    private double retryCalls(String kind) {
        FunctionCounter counter = this.meters.find("resilience4j.retry.calls")
            .tag("name", MailReachClient.INSTANCE)
            .tag("kind", kind)
            .functionCounter();
        assertThat(counter).as("resilience4j.retry.calls{kind=%s}", kind).isNotNull();
        return counter.count();
    }

    private double upstreamRetries(String reason) {
        Counter counter = this.meters.find("gateway.upstream.retries").tag("reason", reason).counter();
        return (counter != null) ? counter.count() : 0;
    }

}
