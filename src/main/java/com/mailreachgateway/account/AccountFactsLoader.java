package com.mailreachgateway.account;

import java.util.Optional;

import com.mailreachgateway.policy.AccountFacts;
import com.mailreachgateway.policy.PolicyEngine;
import com.mailreachgateway.policy.PolicyRequest;
import com.mailreachgateway.state.AccountCache;
import com.mailreachgateway.upstream.AccountFactsReader;
import com.mailreachgateway.upstream.Deadline;
import com.mailreachgateway.upstream.RequestTimes;
import com.mailreachgateway.upstream.UpstreamExceptions.UpstreamClientException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * The account facts the policy gets for an update: from the cached copy, read from MailReach only
 * when a rule needs them and the copy is not fresh (a recent copy still serves while MailReach fails).
 */
@Component
class AccountFactsLoader {

    private final AccountCache cache;

    private final AccountLoader loader;

    private final AccountFactsReader reader;

    private final PolicyEngine policy;

    private final RequestTimes times;

    AccountFactsLoader(AccountCache cache, AccountLoader loader, AccountFactsReader reader, PolicyEngine policy,
            RequestTimes times) {
        this.cache = cache;
        this.loader = loader;
        this.reader = reader;
        this.policy = policy;
        this.times = times;
    }

    /** The facts for {@code request}, empty when no rule needs them and none are cached. */
    Mono<Optional<AccountFacts>> facts(int id, PolicyRequest request, Deadline deadline) {
        return this.cache.get(id).flatMap((cached) -> {
            if (!this.policy.needsAccount(request)) {
                return Mono.just(cached.map((copy) -> this.reader.facts(copy.json())));
            }
            if (cached.isPresent() && this.cache.isFresh(cached.get())) {
                return Mono.just(Optional.of(this.reader.facts(cached.get().json())));
            }
            return this.loader.load(id, this.times.waitBeforeAttempt(deadline))
                .map((account) -> Optional.of(this.reader.facts(account.json())))
                .onErrorResume((ex) -> !(ex instanceof UpstreamClientException) && cached.isPresent()
                        && this.cache.isUsableOnError(cached.get()),
                        (ex) -> Mono.just(Optional.of(this.reader.facts(cached.get().json()))));
        });
    }

}
