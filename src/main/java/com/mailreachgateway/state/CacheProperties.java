package com.mailreachgateway.state;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The account cache, under {@code gateway.cache}.
 *
 * @param ttl how long a cached account is served as fresh ({@code X-Cache: HIT})
 * @param staleIfError how long past its write a copy may still be served while MailReach fails
 * @param maxEntries most accounts kept
 */
@Validated
@ConfigurationProperties("gateway.cache")
public record CacheProperties(@NotNull @DefaultValue("5m") Duration ttl,
        @NotNull @DefaultValue("1h") Duration staleIfError, @Min(1) @DefaultValue("10000") long maxEntries) {

    /** How long a copy is kept at all: as long as it may still be served, fresh or on error. */
    public Duration retention() {
        return (this.ttl.compareTo(this.staleIfError) > 0) ? this.ttl : this.staleIfError;
    }

}
