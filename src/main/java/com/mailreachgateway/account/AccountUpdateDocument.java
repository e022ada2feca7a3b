package com.mailreachgateway.account;

import java.math.BigDecimal;
import java.util.Set;

import com.mailreachgateway.policy.UpdateFields;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.media.Schema;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Adds the update body to the OpenAPI document, derived from MailReach's contract
 * ({@link UpdateFields}): names, types, ranges, descriptions and examples. The controller reads the
 * body itself, to tell absent fields from explicit nulls and to name unknown fields, so no class
 * of the body exists to describe it.
 */
@Configuration(proxyBeanMethods = false)
class AccountUpdateDocument {

    /** The schema's name, referenced by the update operation's request body. */
    static final String REF = "#/components/schemas/AccountUpdate";

    @Bean
    OpenApiCustomizer accountUpdateSchema() {
        return (openApi) -> {
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSchemas("AccountUpdate", schema());
        };
    }

    static Schema<Object> schema() {
        Schema<Object> body = typed("object")
            .description("Fields to change; absent fields stay unchanged. "
                    + "Unknown fields and explicit nulls are refused with 400.")
            .additionalProperties(Boolean.FALSE)
            .minProperties(UpdateFields.MIN_FIELDS);
        for (UpdateFields.Field field : UpdateFields.FIELDS) {
            Schema<Object> property = typed(jsonType(field.type())).description(field.description());
            if (field.type() == UpdateFields.Type.INTEGER) {
                property.format("int32").minimum(BigDecimal.valueOf(field.min())).maximum(BigDecimal.valueOf(field.max()));
            }
            if (field.type() == UpdateFields.Type.EMAIL) {
                property.format("email");
            }
            if (field.example() != null) {
                property.example(field.example());
            }
            body.addProperty(field.name(), property);
        }
        return body;
    }

    /** A schema of one JSON type, in both OpenAPI 3.0's form and 3.1's (which the document uses). */
    private static Schema<Object> typed(String type) {
        return new Schema<>().type(type).types(Set.of(type));
    }

    private static String jsonType(UpdateFields.Type type) {
        return switch (type) {
            case INTEGER -> "integer";
            case BOOLEAN -> "boolean";
            case TEXT, HTML, EMAIL, TIME_ZONE -> "string";
        };
    }

}
