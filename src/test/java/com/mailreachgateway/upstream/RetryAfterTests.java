package com.mailreachgateway.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTests {

    /** A fixed clock: an HTTP-date is read against it, not against the machine's. */
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

    private static final Duration MAX_PAUSE = Duration.ofMinutes(5);

    @Test
    void deltaSecondsAreRead() {
        assertThat(RetryAfter.parse("3", NOW)).isEqualTo(Duration.ofSeconds(3));
        assertThat(RetryAfter.parse(" 0 ", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void httpDateIsReadAsTheWaitUntilThen() {
        assertThat(RetryAfter.parse("Tue, 01 Dec 2026 10:00:10 GMT", NOW))
            .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void pastDateMeansNoWait() {
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void absentOrUnreadableValueIsNull() {
        assertThat(RetryAfter.parse(null, NOW)).isNull();
        assertThat(RetryAfter.parse("soon", NOW)).isNull();
    }

    /**
     * Whatever MailReach sends, reading it never throws, and the pause the key gets from it is at
     * most {@code max-pause} (a wait the pause and the deadline can do arithmetic with). {@code -}
     * means unreadable: a 429 then falls back to the backoff schedule.
     */
    @ParameterizedTest(name = "Retry-After [{0}] reads as {1} s, pauses the key {2} s")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            '86400'                            | 86400               | 300
            '300'                              | 300                 | 300
            '301'                              | 301                 | 300
            '9223372036854775807'              | 9223372036854775807 | 300
            '99999999999999999999999999999999' | 9223372036854775807 | 300
            '-5'                               | -                   | -
            '+5'                               | -                   | -
            '1.5'                              | -                   | -
            '5 s'                              | -                   | -
            ''                                 | -                   | -
            'Fri, 31 Dec 9999 23:59:59 GMT'    | 251606181599        | 300
            'Tue, 01 Dec 2026 10:01:00 GMT'    | 60                  | 60
            'Tue, 01 Dec 2026 09:59:00 GMT'    | 0                   | 0
            'Tuesday, 01-Dec-26 10:01:00 GMT'  | -                   | -
            """)
    void everyValueIsReadWithoutThrowingAndPausesTheKeyAtMostMaxPause(String header, Long readSeconds,
            Long pauseSeconds) {
        Duration read = RetryAfter.parse(header, NOW);

        assertThat(read).isEqualTo((readSeconds != null) ? Duration.ofSeconds(readSeconds) : null);
        Duration pause = (read != null) ? RetryAfter.capped(read, MAX_PAUSE) : null;
        assertThat(pause).isEqualTo((pauseSeconds != null) ? Duration.ofSeconds(pauseSeconds) : null);
        if (pause != null) {
            // What the pause and the deadline do with it must not overflow.
            assertThat(pause.toNanos()).isNotNegative();
            assertThat(pause.plus(Duration.ofSeconds(30)).toNanos()).isPositive();
        }
    }

}
