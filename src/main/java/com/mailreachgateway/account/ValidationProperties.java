package com.mailreachgateway.account;

import com.mailreachgateway.policy.UpdateFields;
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

    /** The longest value of a text field, by its MailReach name. */
    int maxLength(String field) {
        return switch (field) {
            case UpdateFields.DESC -> this.maxDescLength;
            case UpdateFields.FIRST_NAME, UpdateFields.LAST_NAME -> this.maxNameLength;
            case UpdateFields.SIGNATURE -> this.maxSignatureLength;
            default -> Integer.MAX_VALUE;
        };
    }

}
