package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.mailreachgateway.upstream.UpstreamAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One absurd {@code Retry-After} must not stop the company: the pause it puts on the key is cut to
 * {@code max-pause} (2 s here), counted and logged. Test YAML: 600 ms per attempt, 3 s deadline.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = "gateway.mailreach.max-pause=2s")
class RetryAfterCapIntegrationTests extends GatewayIntegrationTestSupport {

    private static final Duration MAX_PAUSE = Duration.ofSeconds(2);

    @Autowired
    private KeyPause keyPause;

    @Autowired
    private MeterRegistry meters;

    @Test
    void updateWhenMailReachAsksForADayPausesTheKeyForMaxPauseAndTheNextUpdateGoesOnceItHasPassed(
            CapturedOutput output) {
        int throttled = newAccountId();
        int next = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(throttled)))
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "86400")));
        mailReach.stubFor(post(urlEqualTo(upstreamPath(next))).willReturn(okJson(account(next))));
        double cappedBefore = capped();

        UpstreamAssertions.Problem problem = assertProblem(update(throttled, CRM_KEY, "{\"alive\": true}"), 503,
                "upstream-throttled");

        assertThat(Long.parseLong(problem.retryAfter())).isBetween(1L, MAX_PAUSE.toSeconds());
        assertThat(this.keyPause.remaining()).isPositive().isLessThanOrEqualTo(MAX_PAUSE);
        List<LoggedRequest> throttledAttempts = mailReach.findAll(postRequestedFor(urlEqualTo(upstreamPath(throttled))));
        // Each 429 was one capped header: counted once and logged on one line without a stack trace.
        assertThat(throttledAttempts).isNotEmpty();
        assertThat(capped() - cappedBefore).isEqualTo(throttledAttempts.size());
        List<String> warnings = output.getAll().lines().filter((line) -> line.contains("Retry-After: 86400")).toList();
        assertThat(warnings).hasSize(throttledAttempts.size())
            .allSatisfy((line) -> assertThat(line).contains("WARN").contains("86400 s").contains("2 s"));
        assertThat(output.getAll()).doesNotContain("\tat com.mailreachgateway");

        // The capped pause passes, and the next update reaches MailReach and succeeds.
        update(next, CRM_KEY, "{\"alive\": true}").expectStatus().isOk();
        long lastThrottled = throttledAttempts.stream().mapToLong((request) -> request.getLoggedDate().getTime()).max()
            .orElseThrow();
        List<LoggedRequest> served = mailReach.findAll(postRequestedFor(urlEqualTo(upstreamPath(next))));
        assertThat(served).hasSize(1);
        // It waited out the pause (wall clocks: a little slack below the 2 s).
        assertThat(served.get(0).getLoggedDate().getTime() - lastThrottled).isGreaterThanOrEqualTo(1800);
        assertThat(this.keyPause.remaining()).isZero();
    }

    private double capped() {
        io.micrometer.core.instrument.Counter counter = this.meters.find("gateway.upstream.retry_after.capped").counter();
        return (counter != null) ? counter.count() : 0;
    }

}
