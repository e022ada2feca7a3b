package com.mailreachgateway.upstream;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * Told about every attempt of one update: just before it is written and once it has ended, so that
 * whoever orders the account's updates (the cross-replica lock) knows until when an attempt may still
 * land at MailReach, even if this replica dies before it hears an answer.
 */
public interface AttemptWatch {

    /** Nobody to tell (a single replica's lanes hold the settle window themselves). */
    AttemptWatch NONE = new AttemptWatch() {

        @Override
        public Mono<Void> writing(Duration landsWithin) {
            return Mono.empty();
        }

        @Override
        public void ended(long settleUntilNanos) {
        }

    };

    /**
     * An attempt is about to be written; unanswered, it may land within {@code landsWithin}. The
     * attempt waits for the returned Mono; an error stops it before anything is written.
     */
    Mono<Void> writing(Duration landsWithin);

    /**
     * The attempt ended: an attempt of this update may still land until {@code settleUntilNanos}
     * (on the shared {@link com.mailreachgateway.system.Ticker}), or none may (0) when every attempt was answered.
     */
    void ended(long settleUntilNanos);

}
