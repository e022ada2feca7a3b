package com.mailreachgateway.upstream;

import java.time.Duration;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;

import org.springframework.test.web.reactive.server.WebTestClient;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.mailreachgateway.upstream.UpstreamAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 200 from MailReach is an account only if it is one: a JSON object whose {@code id} is the
 * account asked for. Anything else is 502 and never cached; an answer too large to read is still
 * an answer (MailReach applied or refused the update), so it is never sent again and never 504.
 * Test YAML: 600 ms per attempt, 3 s deadline, 4 attempts.
 */
class AccountAnswerIntegrationTests extends GatewayIntegrationTestSupport {

    /** Over the gateway's 4 MiB in-memory limit for one answer. */
    private static final int OVER_THE_LIMIT = 5 * 1024 * 1024;

    @Test
    void updateWhenMailReachAnswers200WithAnObjectThatIsNotAnAccountAnswers502AndCachesNothing() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson("{\"status\": \"ok\"}")));

        UpstreamAssertions.Problem problem = assertProblem(update(id, CRM_KEY, "{\"alive\": true}"), 502,
                "upstream-unavailable");

        assertThat(problem.detail()).contains("HTTP 200").contains("1 attempt");
        mailReach.verify(1, postRequestedFor(urlEqualTo(upstreamPath(id))));
        assertNothingCached(id);
    }

    @Test
    void updateWhenMailReachAnswers200WithThreeMegabytesWithoutAccountFieldsAnswers502AndCachesNothing() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(objectWithoutAccountFields(3_000_000))));

        assertProblem(update(id, CRM_KEY, "{\"alive\": true}"), 502, "upstream-unavailable");

        mailReach.verify(1, postRequestedFor(urlEqualTo(upstreamPath(id))));
        assertNothingCached(id);
    }

    @Test
    void updateWhenMailReachAnswers200WithAnotherAccountAnswers502AndCachesNothing() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id + 1_000_000))));

        assertProblem(update(id, CRM_KEY, "{\"alive\": true}"), 502, "upstream-unavailable");

        mailReach.verify(1, postRequestedFor(urlEqualTo(upstreamPath(id))));
        assertNothingCached(id);
    }

    @Test
    void updateWhenMailReachAnswersTheIdAsADecimalStringAcceptsAndCachesTheAccount() {
        int id = newAccountId();
        String answer = account(id).replace("\"id\": " + id + ",", "\"id\": \"" + id + "\",");
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(answer)));

        update(id, CRM_KEY, "{\"alive\": true}").expectStatus().isOk();

        read(id).expectStatus().isOk().expectHeader().valueEquals("X-Cache", "HIT");
    }

    @Test
    void updateWhenMailReachAnswers200OverTheInMemoryLimitAnswers502WithinTheDeadlineAndNeverResendsIt() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(accountOver(id, OVER_THE_LIMIT))));

        long start = System.nanoTime();
        UpstreamAssertions.Problem problem = assertProblem(update(id, CRM_KEY, "{\"alive\": true}"), 502,
                "upstream-unavailable");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // MailReach answered: the update was applied (or refused), not left in doubt, so it is not sent again.
        assertThat(problem.detail()).contains("HTTP 200").contains("1 attempt");
        assertThat(took).isLessThan(Duration.ofSeconds(3));
        mailReach.verify(1, postRequestedFor(urlEqualTo(upstreamPath(id))));
        assertNothingCached(id);
    }

    @Test
    void readWhenMailReachAnswers200WithAnObjectThatIsNotAnAccountAnswers502AndCachesNothing() {
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson("{\"status\": \"ok\"}")));

        assertProblem(read(id), 502, "upstream-unavailable");

        mailReach.verify(1, getRequestedFor(urlEqualTo(upstreamPath(id))));
        assertNothingCached(id);
    }

    @Test
    void readWhenMailReachAnswers200OverTheInMemoryLimitAnswers502AfterOneRead() {
        int id = newAccountId();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(accountOver(id, OVER_THE_LIMIT))));

        long start = System.nanoTime();
        assertProblem(read(id), 502, "upstream-unavailable");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(Duration.ofSeconds(3));
        mailReach.verify(1, getRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    /** A read after the failure goes to MailReach, and what it returns is served as a miss. */
    private void assertNothingCached(int id) {
        int readsBefore = mailReach.findAll(getRequestedFor(urlEqualTo(upstreamPath(id)))).size();
        mailReach.stubFor(get(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));

        read(id).expectStatus().isOk().expectHeader().valueEquals("X-Cache", "MISS");

        mailReach.verify(readsBefore + 1, getRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    private WebTestClient.ResponseSpec read(int id) {
        return this.client.get().uri("/api/v1/accounts/{id}", id).header("X-Api-Key", CRM_KEY).exchange();
    }

    /** A well-formed JSON object of about {@code size} bytes with none of an account's fields. */
    private static String objectWithoutAccountFields(int size) {
        StringBuilder json = new StringBuilder(size + 64).append("{\"items\": [");
        String item = "{\"name\": \"" + "n".repeat(90) + "\"}";
        while (json.length() < size) {
            json.append(item).append(',');
        }
        return json.append(item).append("]}").toString();
    }

    /** The account, padded past {@code size} bytes with a field MailReach might add one day. */
    private static String accountOver(int id, int size) {
        return account(id).replaceFirst("\\{", "{\"padding\": \"" + "p".repeat(size) + "\",");
    }

}
