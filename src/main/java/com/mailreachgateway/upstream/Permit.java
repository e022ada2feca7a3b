package com.mailreachgateway.upstream;

import java.time.Duration;

/**
 * One token of the MailReach budget as the call holding it may spend it: its request may be
 * written from {@code earliest} to {@code latest} (on the {@link com.mailreachgateway.system.Ticker}), and only if its source
 * admits it then (the shared budget, or a replica's local share, may have ended since; a replica's own
 * bucket counts the writes themselves). The check is made where the request is written, on the
 * connection's event loop in the task that writes it ({@link PermitCheckingConnector}); a permit whose
 * moment has passed is spent unused, and its call takes a fresh one.
 *
 * @param earliest first instant the request may be written: never before its token's slot
 * @param latest last instant the request may be written
 * @param source what else must hold when the request is written
 */
public record Permit(long earliest, long latest, Source source) {

    /**
     * How long after its slot a permit of a budget shared between replicas may still be written: half
     * the {@link PermitBucket#ARRIVAL_GUARD}. The other half is for the way from the gateway's socket
     * to MailReach's (network, its server).
     */
    public static final Duration WRITE_WINDOW = PermitBucket.ARRIVAL_GUARD.dividedBy(2);

    /** A permit for the token whose slot is {@code slot}, good for the {@link #WRITE_WINDOW} after it. */
    public static Permit at(long slot, Source source) {
        return new Permit(slot, slot + WRITE_WINDOW.toNanos(), source);
    }

    /**
     * Whether a request written at {@code now} may spend this permit; a permit that says yes is spent
     * (its source may count the write).
     */
    public boolean spend(long now) {
        return now - this.earliest >= 0 && this.latest - now >= 0 && this.source.admits(now);
    }

    /** What, besides its time, a permit needs to be spent. */
    @FunctionalInterface
    public interface Source {

        /** Whether a request of this source may be written at {@code now} (a yes may count it). */
        boolean admits(long now);

    }

}
