package com.mailreachgateway.account;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The update body as the OpenAPI document shows it; the controller reads the body itself to
 * tell absent fields from explicit nulls and to name unknown fields.
 */
@Schema(name = "AccountUpdate", description = "Fields to change; absent fields stay unchanged. "
        + "Unknown fields and explicit nulls are refused with 400.", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
record AccountUpdateDocument(
        @Schema(description = "Switch to this OAuth alias (an email address listed for the account)",
                example = "john.doe@acme.com", format = "email") String alias,
        @Schema(description = "true: warming may run; false: paused") Boolean alive,
        @Schema(description = "MailReach picks the warming recipe") Boolean autopilot,
        @Schema(description = "Parallel warming conversations; capped by the caller's tier", minimum = "0",
                maximum = "35", example = "10") Integer config_max_conversation_running,
        @Schema(description = "Conversations added each day until the target; capped by tier", minimum = "0",
                maximum = "5", example = "2") Integer config_rampup_increase,
        @Schema(description = "Daily conversations once ramped up; capped by tier", minimum = "3", maximum = "35",
                example = "25") Integer config_rampup_target,
        @Schema(description = "Append sent messages to Sent over SMTP") Boolean config_smtp_append_after_sent,
        @Schema(description = "Free-form description (length limit configurable)") String desc,
        @Schema(description = "Owner's first name (length limit configurable)", example = "John") String first_name,
        @Schema(description = "Flag an IMAP issue; switches the account to SMTP-only") Boolean imap_issue,
        @Schema(description = "Owner's last name (length limit configurable)", example = "Doe") String last_name,
        @Schema(description = "HTML signature (sanitised or refused by the policy)", example = "Best,<br/>John Doe") String signature,
        @Schema(description = "IANA id (Europe/Paris) or Rails name (Paris); forwarded as IANA", example = "Paris") String time_zone) {
}
