package com.mailreachgateway.account;

import java.time.Duration;

import com.mailreachgateway.state.AccountCache;
import com.mailreachgateway.upstream.RequestTimes;
import com.mailreachgateway.upstream.UpstreamExceptions.UpstreamClientException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

/** Reads an account through the cache: a fresh copy, else MailReach, else (stale-if-error) a recent copy. */
@Service
class AccountReads {

    private final AccountCache cache;

    private final AccountLoader loader;

    private final RequestTimes times;

    private final UpdateMetrics metrics;

    AccountReads(AccountCache cache, AccountLoader loader, RequestTimes times, UpdateMetrics metrics) {
        this.cache = cache;
        this.loader = loader;
        this.times = times;
        this.metrics = metrics;
    }

    /** Reads an account through the cache; {@code noCache} goes to MailReach and takes no stale copy. */
    Mono<ReadResult> read(int id, boolean noCache) {
        return this.cache.get(id).flatMap((cached) -> {
            if (!noCache && cached.isPresent() && this.cache.isFresh(cached.get())) {
                this.metrics.read("hit");
                return Mono.just(new ReadResult(cached.get().json(), ReadResult.Status.HIT,
                        this.cache.age(cached.get())));
            }
            return this.loader.load(id, this.times.deadline())
                .map((loaded) -> new ReadResult(loaded.json(), ReadResult.Status.MISS, Duration.ZERO))
                .doOnSuccess((result) -> this.metrics.read("miss"))
                .onErrorResume((ex) -> {
                    if (ex instanceof UpstreamClientException) {
                        return Mono.error(ex);
                    }
                    // stale-if-error: MailReach is failing, a recent enough copy beats an error;
                    // a caller that asked for no-cache gets the error instead.
                    return noCache ? Mono.error(ex) : this.cache.get(id).flatMap((stale) -> {
                        if (stale.isPresent() && this.cache.isUsableOnError(stale.get())) {
                            this.metrics.read("stale");
                            return Mono.just(new ReadResult(stale.get().json(), ReadResult.Status.STALE,
                                    this.cache.age(stale.get())));
                        }
                        return Mono.error(ex);
                    });
                });
        });
    }

    /**
     * The result of a read.
     *
     * @param account the account JSON as MailReach returned it
     * @param status where it came from
     * @param age how old the copy is
     */
    record ReadResult(byte[] account, Status status, Duration age) {

        enum Status {

            HIT, MISS, STALE

        }

    }

}
