package com.mailreachgateway.system;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;

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

}
