package com.mailreachgateway.system;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Names the API in the OpenAPI document, declares the caller key and the problem body, and derives
 * the account endpoints' error responses from the problem catalogue ({@link ProblemType}).
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    /** The extension on each error response listing the problem types it stands for. */
    static final String PROBLEM_TYPES = "x-problem-types";

    /** Every problem an update can answer ({@code http-error} covers the framework's 405/415/...). */
    static final Set<ProblemType> UPDATE_PROBLEMS = EnumSet.complementOf(EnumSet.of(ProblemType.HTTP_ERROR));

    /** Every problem a read can answer: no body, no policy, no update in doubt. */
    static final Set<ProblemType> READ_PROBLEMS = EnumSet.complementOf(EnumSet.of(ProblemType.HTTP_ERROR,
            ProblemType.FIELD_FORBIDDEN, ProblemType.POLICY_VIOLATION, ProblemType.PAYLOAD_TOO_LARGE,
            ProblemType.UPDATE_IN_DOUBT));

    private static final String ACCOUNT_PATH = "/api/v1/accounts/{id}";

    /**
     * Adds to the account endpoints one response per status of the problems they can answer, each
     * naming its problem types, so that the document cannot miss a problem the catalogue has.
     */
    @Bean
    OpenApiCustomizer accountProblemResponses(BodyLimit bodyLimit) {
        return (openApi) -> {
            PathItem path = (openApi.getPaths() != null) ? openApi.getPaths().get(ACCOUNT_PATH) : null;
            if (path != null) {
                describe(path.getPost(), UPDATE_PROBLEMS, bodyLimit);
                describe(path.getGet(), READ_PROBLEMS, bodyLimit);
            }
        };
    }

    private static void describe(Operation operation, Set<ProblemType> problems, BodyLimit bodyLimit) {
        if (operation == null) {
            return;
        }
        if (operation.getResponses() == null) {
            operation.setResponses(new ApiResponses());
        }
        for (ProblemType problem : problems) {
            String code = String.valueOf(problem.status().value());
            String title = (problem == ProblemType.PAYLOAD_TOO_LARGE)
                    ? problem.title() + " (over " + bodyLimit.text() + ")" : problem.title();
            ApiResponse response = operation.getResponses().get(code);
            if (response == null) {
                response = new ApiResponse().description(title)
                    .content(new Content().addMediaType("application/problem+json",
                            new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))));
                operation.getResponses().addApiResponse(code, response);
            }
            else if (!response.getDescription().contains(problem.title())) {
                response.setDescription(response.getDescription() + "; " + title);
            }
            Map<String, Object> extensions = response.getExtensions();
            @SuppressWarnings("unchecked")
            List<String> types = (extensions != null && extensions.get(PROBLEM_TYPES) instanceof List<?> list)
                    ? (List<String>) list : new ArrayList<>();
            if (!types.contains(problem.type().toString())) {
                types.add(problem.type().toString());
            }
            response.addExtension(PROBLEM_TYPES, types);
        }
    }

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
                .addSchemas("Problem", typed("object")
                    .description("RFC 9457 problem; type is one of the gateway's problem types (README)")
                    .addProperty("type", typed("string").format("uri"))
                    .addProperty("title", typed("string"))
                    .addProperty("status", typed("integer"))
                    .addProperty("detail", typed("string"))
                    .addProperty("requestId", typed("string"))
                    .addProperty("errors", typed("array")
                        .description("400: every bad field; 403/422: every violation")
                        .items(typed("object")
                            .addProperty("field", typed("string"))
                            .addProperty("message", typed("string"))))
                    .addProperty("violations", typed("array")
                        .description("403/422: the rules that refused the update, with their limits"))
                    .addProperty("retryAfterSeconds", typed("integer"))));
    }

    /**
     * A schema of one JSON type, set in both of the model's forms: the document is OpenAPI 3.1, whose
     * writer reads {@code types} and drops a {@code type} set alone.
     */
    private static Schema<Object> typed(String type) {
        return new Schema<>().type(type).types(Set.of(type));
    }

}
