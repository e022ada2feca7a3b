package com.mailreachgateway.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mailreachgateway.system.RequestIds;

import org.springframework.stereotype.Component;

/**
 * MailReach's {@code Retry-After}: read as delta-seconds or an HTTP-date against the injected
 * {@link Clock}, and cut to {@code max-pause}, counted and logged when longer.
 */
@Component
class RetryAfter {

    private static final Logger logger = LoggerFactory.getLogger(MailReachClient.class);

    private final Clock clock;

    private final Duration maxPause;

    private final UpstreamMeters meters;

    RetryAfter(MailReachProperties properties, Clock clock, UpstreamMeters meters) {
        this.clock = clock;
        this.maxPause = properties.maxPause();
        this.meters = meters;
    }

    /**
     * The pause a {@code Retry-After} header may put on the key: at most {@code max-pause}. The limit
     * is the company's, so one absurd header (a day, a date years ahead) would otherwise stop every
     * update for as long; a longer one is cut, counted, and logged on one line. {@code null} when
     * absent or unreadable.
     */
    Duration pause(String header, String requestId) {
        Duration asked = parse(header, this.clock);
        if (asked == null) {
            return null;
        }
        Duration applied = capped(asked, this.maxPause);
        if (applied.compareTo(asked) < 0) {
            this.meters.retryAfterCapped();
            try (RequestIds.MdcScope scope = RequestIds.inMdc(requestId)) {
                logger.warn("MailReach asked to pause the company key for {} s (Retry-After: {}); the gateway pauses "
                        + "it for {} (gateway.mailreach.max-pause)", asked.getSeconds(), abbreviated(header),
                        readable(applied));
            }
        }
        return applied;
    }

    /** {@code asked}, or {@code max} when it is longer. */
    static Duration capped(Duration asked, Duration max) {
        return (asked.compareTo(max) > 0) ? max : asked;
    }

    /**
     * {@code Retry-After} as delta-seconds or an HTTP-date; {@code null} when absent or unreadable
     * (a sign, a fraction, another date format). Never throws: delta-seconds too large for a
     * {@code long} read as the longest {@link Duration}, and a date in the past as no wait. The
     * caller caps the result at {@code max-pause} before any arithmetic with it.
     */
    static Duration parse(String value, Clock clock) {
        if (value == null) {
            return null;
        }
        String text = value.strip();
        if (text.isEmpty()) {
            return null;
        }
        if (text.chars().allMatch((c) -> c >= '0' && c <= '9')) {
            try {
                return Duration.ofSeconds(Long.parseLong(text));
            }
            catch (NumberFormatException tooLarge) {
                return Duration.ofSeconds(Long.MAX_VALUE);
            }
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration wait = Duration.between(clock.instant(), at.toInstant());
            return wait.isNegative() ? Duration.ZERO : wait;
        }
        catch (RuntimeException unreadable) {
            return null;
        }
    }

    private static String abbreviated(String header) {
        return (header.length() > 64) ? header.substring(0, 64) + "..." : header;
    }

    static String readable(Duration duration) {
        return (duration.toMillis() % 1000 == 0) ? duration.getSeconds() + " s" : duration.toMillis() + " ms";
    }

}
