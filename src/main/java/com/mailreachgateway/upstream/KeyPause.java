package com.mailreachgateway.upstream;

import java.time.Duration;

import reactor.core.publisher.Mono;

import com.mailreachgateway.system.Ticker;

/**
 * The pause MailReach asked for on the company key (a 429, or a 503 with {@code Retry-After}).
 * The limit belongs to the key, not to the call that saw it: while the pause lasts no call goes
 * out, and when it ends a single probe goes first; the others follow once the probe was answered
 * without a new pause. One implementation lives in this process; with replicas, one in Redis.
 */
public interface KeyPause {

    /**
     * What a call may do now, without blocking the calling thread: a pause kept outside this
     * process answers when its store does. The local pause answers at once.
     */
    Mono<Admission> admission();

    /**
     * MailReach asked the key to wait {@code retryAfter} from now (an earlier, longer pause stands).
     * The client has already cut it to {@code gateway.mailreach.max-pause}, so it is always short
     * enough for nanosecond arithmetic.
     */
    void pause(Duration retryAfter);

    /**
     * The probe that {@link #admission()} let through has ended.
     * @param resumed whether MailReach answered it without asking for a new pause
     */
    void probeEnded(boolean resumed);

    /** How long the key stays paused from now; zero when it is not. */
    Duration remaining();

    /**
     * A pause in this process: a probe holds its turn for at most {@code probeLease} (one
     * attempt's time), so a probe whose caller vanished never blocks the key. Its time is {@code ticker}.
     */
    static KeyPause local(Duration probeLease, Ticker ticker) {
        return new LocalKeyPause(probeLease, ticker);
    }

    /**
     * What a call may do.
     *
     * @param decision go, go as the probe, or wait
     * @param delay how long to wait before asking again ({@link Decision#WAIT} only)
     */
    record Admission(Decision decision, Duration delay) {

        public static final Admission GO = new Admission(Decision.GO, Duration.ZERO);

        public static final Admission PROBE = new Admission(Decision.PROBE, Duration.ZERO);

        public static Admission waitFor(Duration wait) {
            return new Admission(Decision.WAIT, wait);
        }

        /** The three answers. */
        public enum Decision {

            GO, PROBE, WAIT

        }

    }

}
