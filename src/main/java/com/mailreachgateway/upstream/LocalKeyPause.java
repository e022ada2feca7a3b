package com.mailreachgateway.upstream;

import java.time.Duration;

import reactor.core.publisher.Mono;

import com.mailreachgateway.system.Ticker;

/**
 * The key's pause in this process. A probe holds its turn for at most one attempt's time, so a
 * probe whose caller vanished never blocks the key; waiters behind a probe look again every
 * {@link #PROBE_POLL} at most.
 */
final class LocalKeyPause implements KeyPause {

    static final Duration PROBE_POLL = Duration.ofMillis(25);

    private final Ticker ticker;

    private final long probeLeaseNanos;

    private long pausedUntil;

    private boolean probeNeeded;

    private long probeUntil;

    private boolean paused;

    LocalKeyPause(Duration probeLease, Ticker ticker) {
        this.ticker = ticker;
        this.probeLeaseNanos = probeLease.toNanos();
    }

    @Override
    public Mono<Admission> admission() {
        return Mono.fromSupplier(this::admit);
    }

    /** What a call may do now: the local pause answers at once. */
    synchronized Admission admit() {
        if (!this.paused) {
            return Admission.GO;
        }
        long now = this.ticker.read();
        if (now - this.pausedUntil < 0) {
            return Admission.waitFor(Duration.ofNanos(this.pausedUntil - now));
        }
        if (!this.probeNeeded) {
            this.paused = false;
            return Admission.GO;
        }
        if (now - this.probeUntil < 0) {
            return Admission.waitFor(Duration.ofNanos(Math.min(this.probeUntil - now, PROBE_POLL.toNanos())));
        }
        this.probeUntil = now + this.probeLeaseNanos;
        return Admission.PROBE;
    }

    @Override
    public synchronized void pause(Duration retryAfter) {
        long until = this.ticker.read() + retryAfter.toNanos();
        if (!this.paused || until - this.pausedUntil > 0) {
            this.pausedUntil = until;
        }
        this.paused = true;
        this.probeNeeded = true;
        this.probeUntil = this.pausedUntil;
    }

    @Override
    public synchronized void probeEnded(boolean resumed) {
        this.probeUntil = this.ticker.read();
        if (resumed && this.ticker.read() - this.pausedUntil >= 0) {
            this.probeNeeded = false;
            this.paused = false;
        }
    }

    /**
     * Ends any pause and probe at once. The gateway never calls it (a pause ends by itself); tests
     * that must start from a key that is not paused reach it through their own package.
     */
    synchronized void reset() {
        this.paused = false;
        this.probeNeeded = false;
    }

    @Override
    public synchronized Duration remaining() {
        long left = this.pausedUntil - this.ticker.read();
        return (this.paused && left > 0) ? Duration.ofNanos(left) : Duration.ZERO;
    }

}
