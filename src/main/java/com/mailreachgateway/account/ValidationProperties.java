package com.mailreachgateway.account;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits MailReach does not document but the gateway enforces, under {@code gateway.validation}.
 *
 * @param maxDescLength longest {@code desc}, in characters
 * @param maxNameLength longest {@code first_name} or {@code last_name}, in characters
 * @param maxSignatureLength longest {@code signature}, in characters
 */
@Validated
@ConfigurationProperties("gateway.validation")
public record ValidationProperties(@Min(1) @DefaultValue("1000") int maxDescLength,
        @Min(1) @DefaultValue("100") int maxNameLength, @Min(1) @DefaultValue("10000") int maxSignatureLength) {

    int maxLength(UpdateField field) {
        return switch (field) {
            case DESC -> this.maxDescLength;
            case FIRST_NAME, LAST_NAME -> this.maxNameLength;
            case SIGNATURE -> this.maxSignatureLength;
            default -> Integer.MAX_VALUE;
        };
    }

}
