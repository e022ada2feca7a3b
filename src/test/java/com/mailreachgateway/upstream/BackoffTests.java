package com.mailreachgateway.upstream;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTests {

    /** MailReach's guidance, the defaults: 1 s doubling to at most 8 s, 20 % jitter either way. */
    private static final MailReachProperties.Retry DEFAULTS = new MailReachProperties.Retry(5, Duration.ofSeconds(1),
            Duration.ofSeconds(8), 0.2);

    /** {@code random} 0.5 is no jitter, 0 the most below, 0.999... the most above. */
    @ParameterizedTest(name = "after attempt {0} with random {1}: {2} ms")
    @CsvSource(textBlock = """
            1,  0.5,  1000
            2,  0.5,  2000
            3,  0.5,  4000
            4,  0.5,  8000
            5,  0.5,  8000
            40, 0.5,  8000
            1,  0.0,  800
            2,  0.0,  1600
            4,  0.0,  6400
            5,  0.0,  8000
            1,  0.75, 1100
            3,  0.75, 4400
            4,  0.75, 8000
            """)
    void waitDoublesPerAttemptWithJitterAndNeverExceedsMaxBackoff(int attempt, double random, long millis) {
        Backoff backoff = new Backoff(DEFAULTS, () -> random);

        assertThat(backoff.after(attempt)).isEqualTo(Duration.ofMillis(millis));
    }

}
