package com.mailreachgateway.state;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The per-account lanes, under {@code gateway.lanes}.
 *
 * @param maxQueued most updates of one account waiting behind the running one; beyond it an update
 * is refused (503, nothing queued)
 */
@Validated
@ConfigurationProperties("gateway.lanes")
public record LaneProperties(@Min(1) @DefaultValue("100") int maxQueued) {
}
