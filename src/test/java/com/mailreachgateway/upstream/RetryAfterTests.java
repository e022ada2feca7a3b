package com.mailreachgateway.upstream;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTests {

    @Test
    void deltaSecondsAreRead() {
        assertThat(MailReachClient.parseRetryAfter("3")).isEqualTo(Duration.ofSeconds(3));
        assertThat(MailReachClient.parseRetryAfter(" 0 ")).isEqualTo(Duration.ZERO);
    }

    @Test
    void httpDateIsReadAsTheWaitUntilThen() {
        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10));
        assertThat(MailReachClient.parseRetryAfter(inTenSeconds)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
    }

    @Test
    void pastDateMeansNoWait() {
        assertThat(MailReachClient.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
    }

    @Test
    void absentOrUnreadableValueIsNull() {
        assertThat(MailReachClient.parseRetryAfter(null)).isNull();
        assertThat(MailReachClient.parseRetryAfter("soon")).isNull();
    }

}
