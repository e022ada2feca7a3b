package com.mailreachgateway.upstream;

/**
 * MailReach's answer to an update.
 *
 * @param account the account JSON exactly as MailReach returned it
 * @param settleUntilNanos when an earlier attempt of this update got no answer: until when MailReach
 * may still apply that attempt, on the shared {@link com.mailreachgateway.system.Ticker}; {@code 0} otherwise
 */
public record UpdateAnswer(byte[] account, long settleUntilNanos) {

    /** Whether an unanswered attempt may still land. */
    public boolean settling() {
        return this.settleUntilNanos != 0;
    }

}
