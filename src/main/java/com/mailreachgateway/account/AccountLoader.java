package com.mailreachgateway.account;

import java.time.Duration;

import com.mailreachgateway.state.AccountCache;
import com.mailreachgateway.state.CachedAccount;
import com.mailreachgateway.state.LoadTimeoutException;
import com.mailreachgateway.upstream.MailReachClient;
import com.mailreachgateway.upstream.RequestTimes;
import com.mailreachgateway.upstream.UpstreamExceptions.UpstreamClientException;
import com.mailreachgateway.upstream.UpstreamExceptions.UpstreamTimeoutException;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Reads an account from MailReach into the cache (one shared read however many wait for it), and
 * drops the cached copy of an account MailReach no longer knows.
 */
@Component
class AccountLoader {

    private final MailReachClient mailReach;

    private final RequestTimes times;

    private final AccountCache cache;

    AccountLoader(MailReachClient mailReach, RequestTimes times, AccountCache cache) {
        this.mailReach = mailReach;
        this.times = times;
        this.cache = cache;
    }

    /** Loads the account through the cache, waiting at most {@code maxWait} for the shared read. */
    Mono<CachedAccount> load(int id, Duration maxWait) {
        // The shared read has a deadline of its own, since it serves several callers.
        return this.cache.load(id, () -> this.mailReach.fetchAccount(id, this.times.newDeadline()), maxWait)
            .onErrorMap(LoadTimeoutException.class, (ex) -> new UpstreamTimeoutException(this.times.deadline()))
            .doOnError(UpstreamClientException.class, (ex) -> evictIfGone(id, ex));
    }

    /** MailReach no longer knows the account: a cached copy must not outlive it. */
    void evictIfGone(int id, UpstreamClientException ex) {
        if (ex.upstreamStatus() == HttpStatus.NOT_FOUND.value()) {
            this.cache.evict(id);
        }
    }

}
