package com.mailreachgateway.upstream;

import java.time.Duration;

import com.mailreachgateway.system.Ticker;

import org.springframework.stereotype.Component;

/**
 * The time a caller's request may take and how it is shared out ({@code gateway.mailreach}
 * {@code deadline}, {@code response-timeout}, {@code settle-time}): one place for the timing policy
 * that the account's turn, its lane, the shared read and the calls to MailReach all follow.
 */
@Component
public class RequestTimes {

    private final MailReachProperties properties;

    private final Ticker ticker;

    RequestTimes(MailReachProperties properties, Ticker ticker) {
        this.properties = properties;
        this.ticker = ticker;
    }

    /** A deadline of {@code gateway.mailreach.deadline} from now, for one caller's request. */
    public Deadline newDeadline() {
        return Deadline.after(this.properties.deadline(), this.ticker);
    }

    /** The configured time allowed for one caller's request. */
    public Duration deadline() {
        return this.properties.deadline();
    }

    /** The time one attempt may take: whatever waits for MailReach must leave this much of a deadline. */
    public Duration attemptTime() {
        return this.properties.responseTimeout();
    }

    /** How long MailReach may still apply an attempt that got no answer ({@code settle-time}). */
    public Duration settleTime() {
        return this.properties.settleTime();
    }

    /** How long a wait before the first attempt (a turn, a lane, a read) may last: what leaves one attempt time. */
    public Duration waitBeforeAttempt(Deadline deadline) {
        Duration wait = deadline.remaining().minus(attemptTime());
        return wait.isNegative() ? Duration.ZERO : wait;
    }

}
