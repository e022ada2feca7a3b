package com.mailreachgateway.account;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import com.mailreachgateway.upstream.PermitBucket;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every update is recorded exactly once, however it ends: one {@code gateway_updates_total} sample
 * (read from the management endpoint) and one audit line (read from the log, found by its request
 * id), for each outcome an update can end with (README, "Metrics"), before, beside or without its work
 * at MailReach. Signature hygiene runs in reject mode here, so that a rule can refuse an update (422);
 * the consistency rule runs, so that an update sending only the ramp-up target needs the account read
 * from MailReach (no other update here sends it); an account's lane holds one waiting update.
 * {@code shared_state_unavailable} (the account lock refused while Redis is down) is proved the same way
 * in {@code SharedStateOutcomeIntegrationTests}, which runs replicas against a Redis it can stop;
 * {@code error} (a defect in the gateway, which cannot be caused from outside) in {@code UpdateRecorderTests}.
 * {@code unauthorized} is no update outcome: an unknown caller is refused before any update starts.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = { "gateway.policy.rules.signature-hygiene.mode=reject",
        "gateway.policy.rules.consistency.mode=clamp", "gateway.lanes.max-queued=1" })
class UpdateOutcomeIntegrationTests extends GatewayIntegrationTestSupport {

    private static final AtomicInteger requests = new AtomicInteger();

    @Value("${local.management.port}")
    private int managementPort;

    @Autowired
    private CircuitBreaker mailReachCircuitBreaker;

    @Autowired
    private PermitBucket permits;

    @Test
    void invalidUpdateAnswers400AndIsCountedAndAuditedOnce(CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        double before = updates("crm", "invalid");

        send(id, CRM_KEY, requestId, "{\"config_rampup_targt\": 10}", "").expectStatus().isBadRequest();

        assertThat(updates("crm", "invalid")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("caller=crm", "account=" + id, "outcome=invalid", "status=400");
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void updateWithAnInvalidIdIsAuditedOnceWithoutAnAccount(CapturedOutput output) {
        String requestId = requestId();
        double before = updates("crm", "invalid");

        send("0123", CRM_KEY, requestId, "{\"alive\": true}", "").expectStatus().isBadRequest();

        assertThat(updates("crm", "invalid")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("account=-", "outcome=invalid", "status=400", "sent={alive=true}");
    }

    @Test
    void updateWithABodyOver64KiBAnswers413AndIsCountedAndAuditedOnceAsInvalid(CapturedOutput output) {
        String requestId = requestId();
        double before = updates("crm", "invalid");

        send(newAccountId(), CRM_KEY, requestId, "{\"desc\": \"" + "x".repeat(70_000) + "\"}", "").expectStatus()
            .isEqualTo(413);

        assertThat(updates("crm", "invalid")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("outcome=invalid", "status=413");
    }

    @Test
    void dryRunRefusedByThePolicyAnswersItsPreviewAndIsCountedAndAuditedOnce(CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        double before = updates("sales-tool", "dry_run");

        // The sales tool may not change the ramp-up target: the preview says forbidden, nothing is sent.
        send(id, SALES_KEY, requestId, "{\"config_rampup_target\": 10}", "?dry_run=true").expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.verdict")
            .isEqualTo("forbidden");

        assertThat(updates("sales-tool", "dry_run")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("caller=sales-tool", "account=" + id, "outcome=dry_run", "status=200", "tier=standard",
                    "violations=[field-rights:config_rampup_target]");
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void updateForbiddenByFieldRightsAnswers403AndIsCountedAndAuditedOnce(CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        double before = updates("sales-tool", "forbidden");

        send(id, SALES_KEY, requestId, "{\"config_rampup_target\": 10}", "").expectStatus().isForbidden();

        assertThat(updates("sales-tool", "forbidden")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("outcome=forbidden", "status=403", "violations=[field-rights:config_rampup_target]");
    }

    @Test
    void forwardedUpdateIsCountedAndAuditedOnce(CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        double before = updates("crm", "forwarded");

        send(id, CRM_KEY, requestId, "{\"alive\": true}", "").expectStatus().isOk();

        assertThat(updates("crm", "forwarded")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("outcome=forwarded", "status=200", "forwarded=as-sent");
    }

    @Test
    void updateWhoseTurnDoesNotComeInTimeAnswers503NotSentAndIsCountedAndAuditedOnce(CapturedOutput output) {
        int id = newAccountId();
        String first = requestId();
        String second = requestId();
        // Every attempt of the first update goes unanswered: it holds the lane until its deadline nears,
        // then for its settle window. The second waits its whole lane wait (deadline less an attempt).
        stubSlow(id);
        double notSentBefore = updates("crm", "not_sent");
        double inDoubtBefore = updates("crm", "in_doubt");
        var slow = sendAsync(id, first, "{\"first_name\": \"slow\"}").toFuture();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> !mailReach.findAll(postRequestedFor(urlEqualTo(upstreamPath(id)))).isEmpty());

        send(id, CRM_KEY, second, "{\"first_name\": \"late\"}", "").expectStatus().isEqualTo(503);
        assertThat(slow.join()).isEqualTo(504);

        assertThat(updates("crm", "not_sent")).isEqualTo(notSentBefore + 1);
        assertThat(updates("crm", "in_doubt")).isEqualTo(inDoubtBefore + 1);
        assertThat(auditLines(output, second)).singleElement()
            .asString()
            .contains("outcome=not_sent", "status=503", "tier=-");
        assertThat(auditLines(output, first)).singleElement().asString().contains("outcome=in_doubt", "status=504");
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(id))).withRequestBody(containing("late")));
    }

    @Test
    void updateWhoseCallerLeavesWhileItWaitsForItsTurnIsDroppedCountedAndAuditedOnceAsAbandoned(
            CapturedOutput output) {
        int id = newAccountId();
        String first = requestId();
        String gone = requestId();
        stubSlow(id);
        double before = updates("crm", "abandoned");
        var slow = sendAsync(id, first, "{\"first_name\": \"slow\"}").toFuture();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> !mailReach.findAll(postRequestedFor(urlEqualTo(upstreamPath(id)))).isEmpty());

        // Queued behind the slow update; its caller gives up before the turn comes.
        Disposable leaving = sendAsync(id, gone, "{\"first_name\": \"gone\"}").subscribe();
        await().atMost(Duration.ofSeconds(2)).until(() -> queued() > 0);
        leaving.dispose();

        await().atMost(Duration.ofSeconds(2)).until(() -> !auditLines(output, gone).isEmpty());
        assertThat(slow.join()).isEqualTo(504);
        assertThat(updates("crm", "abandoned")).isEqualTo(before + 1);
        assertThat(auditLines(output, gone)).singleElement()
            .asString()
            .contains("outcome=abandoned", "status=499");
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(id))).withRequestBody(containing("gone")));
    }

    @Test
    void updateInAnotherCharsetThanUtf8Answers415AndIsCountedAndAuditedOnceAsInvalid(CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        double before = updates("crm", "invalid");

        this.client.post()
            .uri("/api/v1/accounts/" + id)
            .header("X-Api-Key", CRM_KEY)
            .header("X-Request-Id", requestId)
            .header(HttpHeaders.CONTENT_TYPE, "application/json; charset=ISO-8859-1")
            .bodyValue("{\"alive\": true}")
            .exchange()
            .expectStatus()
            .isEqualTo(415);

        assertThat(updates("crm", "invalid")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("account=" + id, "outcome=invalid", "status=415");
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void updateRejectedByAPolicyRuleAnswers422AndIsCountedAndAuditedOnceWithItsViolations(CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        double before = updates("crm", "rejected");

        send(id, CRM_KEY, requestId, "{\"signature\": \"<p>Hi</p><script>x()</script>\"}", "").expectStatus()
            .isEqualTo(422);

        assertThat(updates("crm", "rejected")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("outcome=rejected", "status=422", "tier=standard", "forwarded={}",
                    "violations=[signature-hygiene:signature]");
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void updateMailReachRefusesAnswersItsStatusAndIsCountedAndAuditedOnceAsUpstreamClientError(
            CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(aResponse().withStatus(404)));
        double before = updates("crm", "upstream_client_error");

        send(id, CRM_KEY, requestId, "{\"alive\": true}", "").expectStatus().isNotFound();

        assertThat(updates("crm", "upstream_client_error")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("outcome=upstream_client_error", "status=404", "forwarded=as-sent");
    }

    @Test
    void updateWhoseKeyMailReachRefusesAnswers502AndIsCountedAndAuditedOnceAsUpstreamAuthError(
            CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(aResponse().withStatus(401)));
        double before = updates("crm", "upstream_auth_error");

        send(id, CRM_KEY, requestId, "{\"alive\": true}", "").expectStatus().isEqualTo(502);

        assertThat(updates("crm", "upstream_auth_error")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("outcome=upstream_auth_error", "status=502");
    }

    @Test
    void updateMailReachKeepsFailingAnswers502AndIsCountedAndAuditedOnceAsUpstreamError(CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(aResponse().withStatus(500)));
        double before = updates("crm", "upstream_error");

        send(id, CRM_KEY, requestId, "{\"alive\": true}", "").expectStatus().isEqualTo(502);

        // Every retry was one attempt of the same update: one sample, one line.
        mailReach.verify(4, postRequestedFor(urlEqualTo(upstreamPath(id))));
        assertThat(updates("crm", "upstream_error")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("outcome=upstream_error", "status=502");
    }

    @Test
    void updateMailReachNeverAnswersAnswers504InDoubtAndIsCountedAndAuditedOnce(CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        stubSlow(id);
        double before = updates("crm", "in_doubt");

        send(id, CRM_KEY, requestId, "{\"alive\": true}", "").expectStatus().isEqualTo(504);

        assertThat(updates("crm", "in_doubt")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("outcome=in_doubt", "status=504", "forwarded=as-sent");
    }

    @Test
    void updateWhileTheCircuitIsOpenAnswers503AndIsCountedAndAuditedOnceAsCircuitOpen(CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        double before = updates("crm", "circuit_open");

        this.mailReachCircuitBreaker.transitionToOpenState();
        try {
            send(id, CRM_KEY, requestId, "{\"alive\": true}", "").expectStatus().isEqualTo(503);
        }
        finally {
            this.mailReachCircuitBreaker.transitionToClosedState();
        }

        assertThat(updates("crm", "circuit_open")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("outcome=circuit_open", "status=503", "forwarded=as-sent");
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void updateWhenTheGatewaysBudgetForMailReachIsSpentAnswers429AndIsCountedAndAuditedOnceAsRateLimited(
            CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        double before = updates("crm", "rate_limited");
        // As after a burst: the budget's next token is further off than a caller waits for one (max-wait 1s).
        while (this.permits.timeToNextToken().compareTo(Duration.ofMillis(1500)) < 0) {
            this.permits.reserve(Duration.ofSeconds(2)).join();
        }
        try {
            send(id, CRM_KEY, requestId, "{\"alive\": true}", "").expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .exists(HttpHeaders.RETRY_AFTER);
        }
        finally {
            // The next test finds the budget whole again.
            await().atMost(Duration.ofSeconds(5)).until(() -> this.permits.timeToNextToken().isZero());
        }

        assertThat(updates("crm", "rate_limited")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("outcome=rate_limited", "status=429", "forwarded=as-sent");
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void updateWhoseAccountReadForThePolicyGetsNoAnswerInTimeAnswers504AndIsCountedAndAuditedOnceAsTimeout(
            CapturedOutput output) {
        int id = newAccountId();
        String requestId = requestId();
        // The consistency rule needs the account's ramp-up increase when only the target is sent.
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id)).withFixedDelay(2000)));
        double before = updates("crm", "timeout");

        send(id, CRM_KEY, requestId, "{\"config_rampup_target\": 10}", "").expectStatus().isEqualTo(504);

        assertThat(updates("crm", "timeout")).isEqualTo(before + 1);
        assertThat(auditLines(output, requestId)).singleElement()
            .asString()
            .contains("outcome=timeout", "status=504", "tier=-");
        assertThat(mailReach.findAll(getRequestedFor(urlEqualTo(upstreamPath(id))))).isNotEmpty();
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void updateRefusedByItsAccountsFullLaneAnswers503NotSentAndIsCountedAndAuditedOnce(CapturedOutput output) {
        int id = newAccountId();
        String first = requestId();
        String queued = requestId();
        String refused = requestId();
        stubSlow(id);
        double before = updates("crm", "not_sent");
        var slow = sendAsync(id, first, "{\"first_name\": \"slow\"}").toFuture();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> !mailReach.findAll(postRequestedFor(urlEqualTo(upstreamPath(id)))).isEmpty());
        var waiting = sendAsync(id, queued, "{\"first_name\": \"queued\"}").toFuture();
        await().atMost(Duration.ofSeconds(2)).until(() -> queued() > 0);

        // The lane holds one waiting update: the next is refused at once, without waiting its turn.
        send(id, CRM_KEY, refused, "{\"first_name\": \"refused\"}", "").expectStatus().isEqualTo(503);
        assertThat(auditLines(output, refused)).singleElement()
            .asString()
            .contains("outcome=not_sent", "status=503", "tier=-");
        assertThat(waiting.join()).isEqualTo(503);
        assertThat(slow.join()).isEqualTo(504);

        assertThat(updates("crm", "not_sent")).isEqualTo(before + 2);
        assertThat(auditLines(output, refused)).hasSize(1);
        mailReach.verify(0, postRequestedFor(urlEqualTo(upstreamPath(id))).withRequestBody(containing("refused")));
    }

    /** MailReach never answers an update of {@code id} within the attempt time (600 ms). */
    private void stubSlow(int id) {
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id)).withFixedDelay(2000)));
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec send(Object id, String key,
            String requestId, String body, String query) {
        return this.client.post()
            .uri("/api/v1/accounts/" + id + query)
            .header("X-Api-Key", key)
            .header("X-Request-Id", requestId)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange();
    }

    private Mono<Integer> sendAsync(int id, String requestId, String body) {
        return concurrentCallers().post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .header("X-Request-Id", requestId)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
    }

    private static String requestId() {
        return "outcome-test-" + requests.incrementAndGet() + "-" + System.nanoTime();
    }

    /** The audit lines of one request. */
    private static List<String> auditLines(CapturedOutput output, String requestId) {
        return output.getAll()
            .lines()
            .filter((line) -> line.contains(requestId) && line.contains("update caller="))
            .toList();
    }

    /** {@code gateway_updates_total} for a caller and outcome, as Prometheus scrapes it (0 if absent). */
    private double updates(String caller, String outcome) {
        Matcher sample = Pattern.compile("(?m)^gateway_updates_total\\{[^}]*caller=\"" + Pattern.quote(caller)
                + "\",outcome=\"" + Pattern.quote(outcome) + "\"[^}]*} (\\S+)$")
            .matcher(scrape());
        return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
    }

    private double queued() {
        Matcher sample = Pattern.compile("(?m)^gateway_lanes_queued\\{[^}]*} (\\S+)$").matcher(scrape());
        return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
    }

    private String scrape() {
        return WebClient.builder()
            .baseUrl("http://127.0.0.1:" + this.managementPort)
            .codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(8 * 1024 * 1024))
            .build()
            .get()
            .uri("/actuator/prometheus")
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10));
    }

}
