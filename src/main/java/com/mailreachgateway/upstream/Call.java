package com.mailreachgateway.upstream;

import java.time.Duration;

import com.mailreachgateway.system.Ticker;

import org.springframework.http.HttpMethod;

/**
 * One logical call: its deadline and what its attempts left behind. Attempts run one after
 * another, each after the previous has ended, so plain fields are enough (Reactor's operators
 * publish them safely from one attempt to the next).
 */
final class Call {

    final HttpMethod method;

    /** The account the call is about: a 2xx body must be this account. */
    final int accountId;

    final Deadline deadline;

    final AttemptWatch watch;

    /** The time one attempt may take ({@code response-timeout}). */
    private final Duration attemptTime;

    private final Ticker ticker;

    int attempts;

    /**
     * How the last attempt whose status arrived ends if its body then fails. Volatile: the
     * attempt's timeout may fire on another thread just as the status comes in.
     */
    volatile AttemptFailure answeredAs;

    /** The caller's request id, for the log lines of this call ({@code null} for a shared read). */
    String requestId;

    /** The last attempt MailReach answered, if any. */
    AttemptFailure lastAnswered;

    /** The last failed attempt. */
    AttemptFailure lastFailure;

    /** Until when an unanswered attempt may still land (on the {@link Ticker}); 0 if none. */
    long settleUntil;

    Call(HttpMethod method, int accountId, Deadline deadline, AttemptWatch watch, Duration attemptTime,
            Ticker ticker) {
        this.method = method;
        this.accountId = accountId;
        this.deadline = deadline;
        this.watch = watch;
        this.attemptTime = attemptTime;
        this.ticker = ticker;
    }

    /** An attempt got its status: MailReach answered it, and it ends as {@code failure} if it fails after. */
    void statusArrived(AttemptFailure failure) {
        this.answeredAs = failure;
    }

    /** How attempt {@code number} ends if its status arrived before it failed; {@code null} if it did not. */
    AttemptFailure statusOf(int number) {
        AttemptFailure answered = this.answeredAs;
        return (answered != null && answered.attempt == number) ? answered : null;
    }

    /** Whether an attempt that starts after {@code wait} still ends before the deadline. */
    boolean fits(Duration wait) {
        return this.deadline.fits(wait.plus(this.attemptTime));
    }

    void record(AttemptFailure failure, Duration settleTime) {
        this.lastFailure = failure;
        if (failure.kind.delivery == AttemptFailure.Delivery.ANSWERED) {
            this.lastAnswered = failure;
        }
        else if (failure.kind.delivery == AttemptFailure.Delivery.IN_DOUBT) {
            this.settleUntil = this.ticker.read() + settleTime.toNanos();
        }
    }

}
