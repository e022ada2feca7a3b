package com.mailreachgateway.account;

import java.time.Duration;

import com.mailreachgateway.state.AccountCache;
import com.mailreachgateway.state.AccountLanes;
import com.mailreachgateway.system.Ticker;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Settles an update in doubt: MailReach may have applied it, now or until the settle window ends, so
 * the cached copy is no longer known to be right (now, and again at the window's end, since a read in
 * between may store the state from before a late landing), and the account's next update waits for the end.
 */
@Component
class InDoubtSettlement {

    private final AccountCache cache;

    private final AccountLanes lanes;

    private final Ticker ticker;

    InDoubtSettlement(AccountCache cache, AccountLanes lanes, Ticker ticker) {
        this.cache = cache;
        this.lanes = lanes;
        this.ticker = ticker;
    }

    /** Evicts the account now and at {@code settleUntilNanos} (on the ticker), and holds its lane until then. */
    void settle(int id, long settleUntilNanos) {
        this.cache.evict(id);
        this.lanes.holdUntil(id, settleUntilNanos);
        Mono.delay(Duration.ofNanos(Math.max(0, settleUntilNanos - this.ticker.read())))
            .subscribe((tick) -> this.cache.evict(id));
    }

}
