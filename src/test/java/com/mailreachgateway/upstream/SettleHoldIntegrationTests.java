package com.mailreachgateway.upstream;

import java.time.Duration;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.mailreachgateway.upstream.UpstreamAssertions.assertProblem;
import static com.mailreachgateway.upstream.UpstreamAssertions.receivedInOrder;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An update queued behind a settle window it cannot outwait is never sent, and says so: 503
 * not-sent, with how long the window still lasts. Test YAML: 600 ms per attempt, 3 s deadline;
 * here a 5 s settle window.
 */
@TestPropertySource(properties = { "gateway.mailreach.settle-time=5s", "gateway.mailreach.retry.max-attempts=1" })
class SettleHoldIntegrationTests extends GatewayIntegrationTestSupport {

    @Test
    void updateThatCannotOutwaitTheSettleWindowAnswers503NotSentAndNothingReachesMailReach() {
        int id = newAccountId();
        String path = upstreamPath(id);
        mailReach.stubFor(post(urlEqualTo(path)).willReturn(okJson(account(id)).withFixedDelay(2000)));
        assertProblem(update(id, CRM_KEY, "{\"alive\": true}"), 504, "in-doubt");
        int sentBefore = receivedInOrder(mailReach, path).size();

        // The lane is held for 5 s from the last attempt's end: longer than a 3 s deadline can wait.
        long start = System.nanoTime();
        UpstreamAssertions.Problem problem = assertProblem(update(id, CRM_KEY, "{\"alive\": false}"), 503,
                "not-sent");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

        assertThat(problem.detail()).contains("nothing was applied");
        assertThat(Integer.parseInt(problem.retryAfter())).isBetween(1, 5);
        assertThat(receivedInOrder(mailReach, path)).hasSize(sentBefore);
    }

}
