package com.mailreachgateway.caller;

import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The callers the gateway knows, under {@code gateway.callers}. Keys are stored only as
 * SHA-256 hashes; two entries may share a name while a key is rotated.
 *
 * @param callers the known callers
 */
@Validated
@ConfigurationProperties("gateway")
public record CallerProperties(@Valid List<Entry> callers) {

    public CallerProperties {
        callers = (callers != null) ? List.copyOf(callers) : List.of();
    }

    /**
     * One caller.
     *
     * @param name name used in metrics, logs and the policy
     * @param keySha256 lower- or upper-case hex SHA-256 of the caller's key
     * @param tier the caller's tier, or none to use the policy's default tier
     * @param allowedFields update fields this caller may change; absent means all
     */
    public record Entry(@NotBlank @Pattern(regexp = "[A-Za-z0-9._-]{1,64}") String name,
            @NotNull @Pattern(regexp = "[0-9a-fA-F]{64}", message = "must be 64 hex digits") String keySha256,
            String tier, Set<String> allowedFields) {
    }

}
