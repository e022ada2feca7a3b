package com.mailreachgateway.redis;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * State shared by replicas through Redis, under {@code gateway.redis}. The connection itself is
 * Spring Boot's {@code spring.data.redis.*} (url, host, port, username, password, ssl.enabled,
 * timeout); {@code spring.data.redis.timeout} bounds every Redis command.
 *
 * @param enabled whether the MailReach budget and the key's pause are shared through Redis
 * (false: everything stays in this process, and nothing connects to Redis)
 * @param keyPrefix prefix of every key the gateway writes, so several gateways can share one Redis
 * @param onFailure what a replica does while Redis is unreachable
 * @param expectedReplicas how many replicas share the budget; in fallback each takes
 * {@code floor(requests-per-second / expected-replicas)} (at least one)
 * @param probeInterval how often a replica in fallback checks whether Redis answers again
 * @param lockLease how long an account stays held by a replica that stopped renewing its turn (it
 * died, or lost Redis); a live holder renews it every third of this
 */
@Validated
@ConfigurationProperties("gateway.redis")
public record SharedStateProperties(@DefaultValue("false") boolean enabled,
        @NotBlank @DefaultValue("mailreach-gateway:") String keyPrefix,
        @NotNull @DefaultValue("local-share") OnFailure onFailure, @Min(1) @DefaultValue("1") int expectedReplicas,
        @NotNull @DefaultValue("1s") Duration probeInterval, @NotNull @DefaultValue("3s") Duration lockLease) {

    /** A lease of at least 300 ms: it is renewed every third of it, one Redis round trip each time. */
    @AssertTrue(message = "gateway.redis.lock-lease must be at least 300ms")
    public boolean isLockLeaseLongEnough() {
        return this.lockLease == null || this.lockLease.compareTo(Duration.ofMillis(300)) >= 0;
    }

    /** What a replica does while Redis is unreachable. */
    public enum OnFailure {

        /** Go on with local state: this replica's share of the budget, its own pause, lanes and cache. */
        LOCAL_SHARE,
        /** Refuse whatever would call MailReach with {@code 503 shared-state-unavailable}. */
        REFUSE

    }

}
