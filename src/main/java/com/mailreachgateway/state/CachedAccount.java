package com.mailreachgateway.state;

import java.time.Duration;
import java.time.Instant;

/**
 * An account as MailReach last returned it, byte for byte, and when it was stored.
 *
 * @param json the response body
 * @param storedAt when the gateway received it
 * @param version order of writes to the cache: a later write has a higher version
 * @param doubtful whether the copy may be one that should have been dropped (a shared copy from before
 * an outage, during which a replica may have failed to drop it after an update in doubt): never served
 * as fresh, still usable while MailReach fails
 */
public record CachedAccount(byte[] json, Instant storedAt, long version, boolean doubtful) {

    /** A copy known to be the latest the gateway stored. */
    public CachedAccount(byte[] json, Instant storedAt, long version) {
        this(json, storedAt, version, false);
    }

    /** This copy, no longer known to be right. */
    public CachedAccount doubted() {
        return new CachedAccount(this.json, this.storedAt, this.version, true);
    }

    /** How old this copy is at {@code now}, never negative. */
    public Duration age(Instant now) {
        Duration age = Duration.between(this.storedAt, now);
        return age.isNegative() ? Duration.ZERO : age;
    }

}
