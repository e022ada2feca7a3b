package com.mailreachgateway.account;

import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The update path end to end: the whole gateway against a MailReach stub on loopback.
 */
class AccountUpdateIntegrationTests extends GatewayIntegrationTestSupport {

    private static final JsonMapper json = JsonMapper.builder().build();

    /** The seed page's own request, as a client of MailReach sends it today. */
    static final String SEED_REQUEST = """
            {
              "config_rampup_target": 25,
              "config_rampup_increase": 2,
              "config_max_conversation_running": 10,
              "time_zone": "Paris",
              "signature": "Best,<br/>John Doe",
              "first_name": "John",
              "last_name": "Doe",
              "alive": true,
              "autopilot": true,
              "imap_issue": true,
              "config_smtp_append_after_sent": true,
              "desc": "Primary sales mailbox",
              "alias": "john.doe@acme.com"
            }""";

    @Test
    void updateWithSeedRequestForwardsDocumentedFieldsAndReturnsAccountAsMailReachSentIt() {
        int id = newAccountId();
        // MailReach may answer fields the gateway does not model: they must reach the caller untouched.
        String answer = account(id).replaceFirst("\\{", "{\"future_field\": {\"nested\": [1, 2.50, \"x\"]},");
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(answer)));

        byte[] body = this.client.post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", OPS_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(SEED_REQUEST)
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
            .expectHeader()
            .valueEquals("X-Policy-Tier", "premium")
            .expectHeader()
            .doesNotExist("X-Policy-Adjusted")
            .expectHeader()
            .exists("X-Request-Id")
            .expectBody()
            .returnResult()
            .getResponseBody();

        assertThat(json.readTree(body)).isEqualTo(json.readTree(answer));
        mailReach.verify(1, postRequestedFor(urlEqualTo(upstreamPath(id))).withHeader("X-Api-Key", equalTo(MAILREACH_KEY))
            .withHeader("Content-Type", WireMock.containing("application/json"))
            .withRequestBody(equalToJson(SEED_REQUEST.replace("\"Paris\"", "\"Europe/Paris\""))));
    }

    @Test
    void updateNeverForwardsTheCallersKey() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));

        update(id, CRM_KEY, "{\"alive\": false}").expectStatus().isOk();

        LoggedRequest request = mailReach.findAll(postRequestedFor(urlEqualTo(upstreamPath(id)))).get(0);
        assertThat(request.getHeader("X-Api-Key")).isEqualTo(MAILREACH_KEY);
        assertThat(request.getHeaders().all().toString()).doesNotContain(CRM_KEY);
    }

    @Test
    void updateWithSomeFieldsForwardsOnlyThoseFields() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));

        update(id, CRM_KEY, "{\"first_name\": \"Ann\", \"alive\": false}").expectStatus().isOk();

        LoggedRequest request = mailReach.findAll(postRequestedFor(urlEqualTo(upstreamPath(id)))).get(0);
        JsonNode forwarded = json.readTree(request.getBodyAsString());
        assertThat(forwarded.propertyNames()).containsExactly("first_name", "alive");
        assertThat(forwarded.get("first_name").asString()).isEqualTo("Ann");
    }

    @Test
    void patchHasTheSameMeaningAsPost() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));

        this.client.patch()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"desc\": \"from PATCH\"}")
            .exchange()
            .expectStatus()
            .isOk();

        mailReach.verify(1, postRequestedFor(urlEqualTo(upstreamPath(id)))
            .withRequestBody(equalToJson("{\"desc\": \"from PATCH\"}")));
    }

    @Test
    void updateWhenRampupTargetAboveTierCapClampsAndExplains() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));

        update(id, CRM_KEY, "{\"config_rampup_target\": 30, \"config_rampup_increase\": 5, \"config_max_conversation_running\": 12}")
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Policy-Tier", "standard")
            .expectHeader()
            .value("X-Policy-Adjusted", (adjusted) -> assertThat(adjusted)
                .contains("config_rampup_target=30->20;rule=tier-cap")
                .contains("config_rampup_increase=5->2;rule=tier-cap")
                .doesNotContain("config_max_conversation_running"));

        mailReach.verify(1, postRequestedFor(urlEqualTo(upstreamPath(id))).withRequestBody(equalToJson(
                "{\"config_rampup_target\": 20, \"config_rampup_increase\": 2, \"config_max_conversation_running\": 12}")));
    }

    static Stream<Arguments> invalidBodies() {
        return Stream.of(Arguments.of("{\"config_rampup_target\": \"25\"}", "config_rampup_target", "must be an integer"),
                Arguments.of("{\"config_rampup_target\": 25.5}", "config_rampup_target", "must be an integer"),
                Arguments.of("{\"config_rampup_target\": 2}", "config_rampup_target", "between 3 and 35"),
                Arguments.of("{\"config_rampup_target\": 36}", "config_rampup_target", "between 3 and 35"),
                Arguments.of("{\"config_rampup_increase\": 6}", "config_rampup_increase", "between 0 and 5"),
                Arguments.of("{\"config_rampup_increase\": -1}", "config_rampup_increase", "between 0 and 5"),
                Arguments.of("{\"config_max_conversation_running\": 36}", "config_max_conversation_running", "between 0 and 35"),
                Arguments.of("{\"config_max_conversation_running\": 99999999999}", "config_max_conversation_running", "between 0 and 35"),
                Arguments.of("{\"alive\": \"yes\"}", "alive", "true or false"),
                Arguments.of("{\"alive\": null}", "alive", "must not be null"),
                Arguments.of("{\"config_rampup_targt\": 20}", "config_rampup_targt", "did you mean config_rampup_target"),
                Arguments.of("{\"email\": \"x@y.z\"}", "email", "not a field"),
                Arguments.of("{}", "body", "at least one field"),
                Arguments.of("[]", "body", "JSON object"),
                Arguments.of("{\"alive\": true", "body", "not valid JSON"),
                Arguments.of("{\"alive\": true, \"alive\": false}", "body", "not valid JSON"),
                Arguments.of("{\"alias\": \"not-an-email\"}", "alias", "email address"),
                Arguments.of("{\"first_name\": \"" + "x".repeat(101) + "\"}", "first_name", "at most 100"),
                Arguments.of("{\"desc\": \"" + "x".repeat(1001) + "\"}", "desc", "at most 1000"),
                Arguments.of("{\"signature\": 12}", "signature", "must be a string"),
                Arguments.of("{\"time_zone\": \"Mars/Olympus\"}", "time_zone", "IANA"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("invalidBodies")
    void updateWithInvalidBodyAnswers400NamingTheFieldAndReachesNothingUpstream(String body, String field,
            String message) {
        int id = newAccountId();
        update(id, CRM_KEY, body).expectStatus()
            .isBadRequest()
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.type")
            .value((type) -> assertThat(type.toString()).endsWith("/invalid-request"))
            .jsonPath("$.errors[?(@.field == '" + field + "')].message")
            .value((messages) -> assertThat(messages.toString()).contains(message));

        mailReach.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void updateWithSeveralBadFieldsNamesEveryOne() {
        update(newAccountId(), CRM_KEY, "{\"config_rampup_target\": 99, \"alive\": null, \"nope\": 1, \"desc\": \"ok\"}")
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.errors.length()")
            .isEqualTo(3)
            .jsonPath("$.errors[*].field")
            .value((fields) -> assertThat(fields.toString()).contains("config_rampup_target", "alive", "nope"));
        mailReach.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void updateWithBadIdAnswers400() {
        for (String id : new String[] { "abc", "0", "-5", "2147483648", "1.5" }) {
            update(id, CRM_KEY, "{\"alive\": true}").expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.errors[0].field")
                .isEqualTo("id");
        }
        mailReach.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void updateWithRailsTimeZoneForwardsIanaId() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));

        update(id, CRM_KEY, "{\"time_zone\": \"Eastern Time (US & Canada)\"}").expectStatus().isOk();

        mailReach.verify(postRequestedFor(urlEqualTo(upstreamPath(id)))
            .withRequestBody(equalToJson("{\"time_zone\": \"America/New_York\"}")));
    }

    @Test
    void updateWithBodyOver64KiBAnswers413() {
        update(newAccountId(), CRM_KEY, "{\"desc\": \"" + "x".repeat(70 * 1024) + "\"}").expectStatus()
            .isEqualTo(413)
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        mailReach.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void updateWithNonJsonContentTypeAnswers415() {
        this.client.post()
            .uri("/api/v1/accounts/{id}", newAccountId())
            .header("X-Api-Key", CRM_KEY)
            .contentType(MediaType.TEXT_PLAIN)
            .bodyValue("alive=true")
            .exchange()
            .expectStatus()
            .isEqualTo(415)
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        mailReach.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void updateWithoutKeyAnswers401() {
        this.client.post()
            .uri("/api/v1/accounts/{id}", newAccountId())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"alive\": true}")
            .exchange()
            .expectStatus()
            .isUnauthorized()
            .expectBody()
            .jsonPath("$.type")
            .value((type) -> assertThat(type.toString()).endsWith("/unauthenticated"));
        mailReach.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void updateWithUnknownKeyAnswers401EvenWhenBodyIsInvalid() {
        update(newAccountId(), "not-a-caller", "{\"nope\": 1}").expectStatus().isUnauthorized();
        mailReach.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void updateWithFieldCallerMayNotChangeAnswers403NamingIt() {
        update(newAccountId(), SALES_KEY, "{\"first_name\": \"Ann\", \"config_rampup_target\": 10}").expectStatus()
            .isForbidden()
            .expectBody()
            .jsonPath("$.type")
            .value((type) -> assertThat(type.toString()).endsWith("/field-forbidden"))
            .jsonPath("$.detail")
            .value((detail) -> assertThat(detail.toString()).contains("config_rampup_target")
                .doesNotContain("first_name"));
        mailReach.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void updateWithOnlyAllowedFieldsIsForwarded() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        update(id, SALES_KEY, "{\"first_name\": \"Ann\"}").expectStatus().isOk();
        mailReach.verify(1, postRequestedFor(urlEqualTo(upstreamPath(id))));
    }

    @Test
    void updateWhenSignatureHasABodyOnloadHandlerForwardsItSanitizedAndExplains() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));

        update(id, CRM_KEY, "{\"signature\": \"<body onload=alert(1)>Best,<br>John\"}").expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Policy-Adjusted", "signature=sanitized;rule=signature-hygiene");

        mailReach.verify(1, postRequestedFor(urlEqualTo(upstreamPath(id)))
            .withRequestBody(equalToJson("{\"signature\": \"Best,<br>John\"}")));
    }

    @Test
    void updateEchoesCallersRequestId() {
        int id = newAccountId();
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        this.client.post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", CRM_KEY)
            .header("X-Request-Id", "crm-batch-42")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"alive\": true}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Request-Id", "crm-batch-42");
    }


}
