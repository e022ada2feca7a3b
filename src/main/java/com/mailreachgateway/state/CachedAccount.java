package com.mailreachgateway.state;

import java.time.Duration;
import java.time.Instant;

/**
 * An account as MailReach last returned it, byte for byte, and when it was stored.
 *
 * @param json the response body
 * @param storedAt when the gateway received it
 * @param version order of writes to the cache: a later write has a higher version
 */
public record CachedAccount(byte[] json, Instant storedAt, long version) {

    /** How old this copy is at {@code now}, never negative. */
    public Duration age(Instant now) {
        Duration age = Duration.between(this.storedAt, now);
        return age.isNegative() ? Duration.ZERO : age;
    }

}
