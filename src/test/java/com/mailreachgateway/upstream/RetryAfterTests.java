package com.mailreachgateway.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTests {

    /** A fixed clock: an HTTP-date is read against it, not against the machine's. */
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void deltaSecondsAreRead() {
        assertThat(MailReachClient.parseRetryAfter("3", NOW)).isEqualTo(Duration.ofSeconds(3));
        assertThat(MailReachClient.parseRetryAfter(" 0 ", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void httpDateIsReadAsTheWaitUntilThen() {
        assertThat(MailReachClient.parseRetryAfter("Tue, 01 Dec 2026 10:00:10 GMT", NOW))
            .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void pastDateMeansNoWait() {
        assertThat(MailReachClient.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void absentOrUnreadableValueIsNull() {
        assertThat(MailReachClient.parseRetryAfter(null, NOW)).isNull();
        assertThat(MailReachClient.parseRetryAfter("soon", NOW)).isNull();
    }

}
