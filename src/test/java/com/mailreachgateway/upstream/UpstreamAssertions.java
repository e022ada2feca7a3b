package com.mailreachgateway.upstream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.mailreachgateway.support.GatewayIntegrationTestSupport.CRM_KEY;
import static com.mailreachgateway.support.GatewayIntegrationTestSupport.MAILREACH_KEY;
import static com.mailreachgateway.support.GatewayIntegrationTestSupport.OPS_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** Assertions the resilience tests share: problem+json answers and what MailReach received. */
final class UpstreamAssertions {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private UpstreamAssertions() {
    }

    /**
     * Checks that a response is a problem+json of the given status and type slug, carrying a
     * request id and nothing that leaks internals, and returns it for further checks.
     */
    static Problem assertProblem(WebTestClient.ResponseSpec response, int status, String slug) {
        EntityExchangeResult<byte[]> result = response.expectStatus()
            .isEqualTo(status)
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
            .expectHeader()
            .exists("X-Request-Id")
            .expectBody()
            .returnResult();
        return problem(result.getResponseHeaders(), result.getResponseBody(), status, slug);
    }

    static Problem problem(HttpHeaders headers, byte[] raw, int status, String slug) {
        String text = new String(raw);
        JsonNode body = JSON.readTree(raw);
        assertThat(body.get("type").asString()).endsWith("/problems/" + slug);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("title").asString()).isNotBlank();
        assertThat(body.get("detail").asString()).isNotBlank();
        assertThat(text).doesNotContain(MAILREACH_KEY, CRM_KEY, OPS_KEY, "127.0.0.1", "localhost", "Exception",
                "com.mailreachgateway", "\tat ");
        return new Problem(headers, body);
    }

    /** Every request MailReach received carried the gateway's key, and no caller key at all. */
    static void assertOnlyGatewayKeySent(WireMockServer mailReach) {
        List<LoggedRequest> received = mailReach.findAll(anyRequestedFor(anyUrl()));
        assertThat(received).allSatisfy((request) -> {
            assertThat(request.getHeader("X-Api-Key")).isEqualTo(MAILREACH_KEY);
            assertThat(request.getHeaders().all()).allSatisfy((header) -> assertThat(header.values())
                .noneMatch((value) -> value.contains(CRM_KEY) || value.contains(OPS_KEY)));
        });
    }

    /** The requests MailReach received on a path, oldest first. */
    static List<LoggedRequest> receivedInOrder(WireMockServer mailReach, String path) {
        // The journal lists serve events newest first; the sequence is the arrival order even
        // when two requests share a millisecond timestamp.
        List<ServeEvent> events = new ArrayList<>(mailReach.getAllServeEvents());
        Collections.reverse(events);
        return events.stream()
            .map(ServeEvent::getRequest)
            .filter((request) -> request.getUrl().equals(path))
            .toList();
    }

    /** Millisecond arrival times of the given requests, ascending. */
    static List<Long> arrivalMillis(List<LoggedRequest> requests) {
        return requests.stream().map((request) -> request.getLoggedDate().getTime()).sorted(Comparator.naturalOrder())
            .toList();
    }

    /** A parsed problem+json answer. */
    record Problem(HttpHeaders headers, JsonNode body) {

        String detail() {
            return this.body.get("detail").asString();
        }

        String retryAfter() {
            return this.headers.getFirst(HttpHeaders.RETRY_AFTER);
        }

    }

}
