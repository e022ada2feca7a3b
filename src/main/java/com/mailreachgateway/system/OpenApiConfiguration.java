package com.mailreachgateway.system;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.security.SecurityScheme;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Names the API in the OpenAPI document and declares the caller key and the problem body. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI gatewayOpenApi(ObjectProvider<BuildProperties> build) {
        String version = build.getIfAvailable(() -> null) != null ? build.getObject().getVersion() : "dev";
        return new OpenAPI()
            .info(new Info().title("mailreach-gateway")
                .version(version)
                .description("MailReach's account API for company systems: same paths and bodies as MailReach, "
                        + "with caller keys, the company's warming policy, a shared rate limit, retries, a circuit "
                        + "breaker and a cache. Errors are application/problem+json (RFC 9457)."))
            .components(new Components()
                .addSecuritySchemes("X-Api-Key",
                        new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                            .in(SecurityScheme.In.HEADER)
                            .name("X-Api-Key")
                            .description("The caller's own gateway key (never the MailReach key)"))
                .addSchemas("Problem", new Schema<>().type("object")
                    .description("RFC 9457 problem; type is one of the gateway's problem types (README)")
                    .addProperty("type", new Schema<>().type("string").format("uri"))
                    .addProperty("title", new Schema<>().type("string"))
                    .addProperty("status", new Schema<>().type("integer"))
                    .addProperty("detail", new Schema<>().type("string"))
                    .addProperty("requestId", new Schema<>().type("string"))
                    .addProperty("errors", new Schema<>().type("array")
                        .description("400: every bad field; 403/422: every violation")
                        .items(new Schema<>().type("object")
                            .addProperty("field", new Schema<>().type("string"))
                            .addProperty("message", new Schema<>().type("string"))))
                    .addProperty("violations", new Schema<>().type("array")
                        .description("403/422: the rules that refused the update, with their limits"))
                    .addProperty("retryAfterSeconds", new Schema<>().type("integer"))));
    }

}
