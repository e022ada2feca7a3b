package com.mailreachgateway.system;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.mailreachgateway.policy.UpdateFields;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class OpenApiIntegrationTests extends GatewayIntegrationTestSupport {

    @Test
    void openApiDocumentDescribesTheUpdateFieldsRangesAndErrors() {
        this.client.get()
            .uri("/v3/api-docs")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.paths['/api/v1/accounts/{id}'].post.responses['422']")
            .exists()
            .jsonPath("$.paths['/api/v1/accounts/{id}'].post.responses['429']")
            .exists()
            .jsonPath("$.paths['/api/v1/accounts/{id}'].get")
            .exists()
            .jsonPath("$.components.schemas.AccountUpdate.properties.config_rampup_target.minimum")
            .isEqualTo(3)
            .jsonPath("$.components.schemas.AccountUpdate.properties.config_rampup_target.maximum")
            .isEqualTo(35)
            .jsonPath("$.components.schemas.AccountUpdate.properties.config_rampup_increase.maximum")
            .isEqualTo(5)
            .jsonPath("$.components.securitySchemes['X-Api-Key'].in")
            .isEqualTo("header")
            .jsonPath("$.paths")
            .value((paths) -> assertThat(paths.toString()).doesNotContain("/sandbox"));
    }

    @Test
    void problemSchemaNamesTheJsonTypeOfEachMember() {
        this.client.get()
            .uri("/v3/api-docs")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.components.schemas.Problem.type")
            .isEqualTo("object")
            .jsonPath("$.components.schemas.Problem.properties.type.type")
            .isEqualTo("string")
            .jsonPath("$.components.schemas.Problem.properties.status.type")
            .isEqualTo("integer")
            .jsonPath("$.components.schemas.Problem.properties.errors.type")
            .isEqualTo("array")
            .jsonPath("$.components.schemas.Problem.properties.errors.items.properties.field.type")
            .isEqualTo("string")
            .jsonPath("$.components.schemas.Problem.properties.retryAfterSeconds.type")
            .isEqualTo("integer");
    }

    @Test
    void accountEndpointsDocumentEveryProblemOfTheCatalogueTheyCanAnswerWithItsStatus() {
        // Framework errors (http-error) have no one status; reads have no body, policy or update in doubt.
        Set<ProblemType> update = EnumSet.complementOf(EnumSet.of(ProblemType.HTTP_ERROR));
        Set<ProblemType> read = EnumSet.complementOf(EnumSet.of(ProblemType.HTTP_ERROR, ProblemType.FIELD_FORBIDDEN,
                ProblemType.POLICY_VIOLATION, ProblemType.PAYLOAD_TOO_LARGE, ProblemType.UPDATE_IN_DOUBT));
        WebTestClient.BodyContentSpec document = this.client.get()
            .uri("/v3/api-docs")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody();
        assertDocuments(document, "post", update);
        assertDocuments(document, "get", read);
        assertThat(update).contains(ProblemType.NOT_SENT, ProblemType.SHARED_STATE_UNAVAILABLE);
    }

    @Test
    void updateBodySchemaIsMailReachsContract() {
        WebTestClient.BodyContentSpec document = this.client.get()
            .uri("/v3/api-docs")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody();
        String update = "$.components.schemas.AccountUpdate";
        document.jsonPath(update + ".properties")
            .value((properties) -> assertThat(Set.<Object>copyOf(((Map<?, ?>) properties).keySet()))
                .isEqualTo(Set.<Object>copyOf(UpdateFields.ALL)));
        document.jsonPath(update + ".additionalProperties").isEqualTo(false);
        for (UpdateFields.Field field : UpdateFields.FIELDS) {
            String property = update + ".properties." + field.name();
            document.jsonPath(property + ".description").isEqualTo(field.description());
            document.jsonPath(property + ".type").isEqualTo(switch (field.type()) {
                case INTEGER -> "integer";
                case BOOLEAN -> "boolean";
                default -> "string";
            });
            if (field.example() != null) {
                document.jsonPath(property + ".example").isEqualTo(field.example());
            }
            if (field.min() != null) {
                document.jsonPath(property + ".minimum").isEqualTo(field.min());
                document.jsonPath(property + ".maximum").isEqualTo(field.max());
            }
        }
        document.jsonPath("$.paths['/api/v1/accounts/{id}'].post.requestBody.content['application/json'].schema['$ref']")
            .isEqualTo("#/components/schemas/AccountUpdate");
    }

    @Test
    void updateDocumentsTheBodyLimitTheCodecsEnforce(
            @Value("${spring.http.codecs.max-in-memory-size}") DataSize maxBody) {
        this.client.get()
            .uri("/v3/api-docs")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.paths['/api/v1/accounts/{id}'].post.responses['413'].description")
            .value((description) -> assertThat((String) description).contains("over " + BodyLimit.text(maxBody)));
    }

    private static void assertDocuments(WebTestClient.BodyContentSpec document, String method,
            Set<ProblemType> problems) {
        for (ProblemType problem : problems) {
            document
                .jsonPath("$.paths['/api/v1/accounts/{id}']." + method + ".responses['" + problem.status().value()
                        + "']['x-problem-types']")
                .value((types) -> assertThat(List.<Object>copyOf((List<?>) types)).as(method + " " + problem)
                    .contains((Object) problem.type().toString()));
        }
    }

}
