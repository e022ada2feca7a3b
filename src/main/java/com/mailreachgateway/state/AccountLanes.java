package com.mailreachgateway.state;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * One lane per account: work for one account runs one at a time, in the order it entered the
 * lane, while different accounts run in parallel. Once a piece of work has started it runs to
 * its end even if its caller goes away, so the next update never overtakes it upstream; work
 * whose caller leaves while it is still waiting is dropped without breaking the order.
 */
@Component
public class AccountLanes {

    private final ConcurrentMap<Integer, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    /** Runs {@code work} when every earlier work of this account's lane has finished. */
    public <T> Mono<T> run(int accountId, Mono<T> work) {
        return Mono.deferContextual((context) -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            CompletableFuture<Void> previous = this.tails.put(accountId, done);
            CompletableFuture<Void> turn = (previous != null) ? previous : CompletableFuture.completedFuture(null);
            AtomicBoolean abandoned = new AtomicBoolean();
            CompletableFuture<T> result = turn.thenCompose((ignored) -> abandoned.get()
                    ? CompletableFuture.failedFuture(new CancellationException("caller left before its turn"))
                    : work.contextWrite(context).toFuture());
            // The lane moves on only when this work has ended (or was skipped), which is
            // always after the previous one has ended.
            result.whenComplete((value, error) -> release(accountId, done));
            return Mono.fromFuture(result, true).doOnCancel(() -> abandoned.set(true));
        });
    }

    private void release(int accountId, CompletableFuture<Void> done) {
        done.complete(null);
        this.tails.remove(accountId, done);
    }

    /** Number of accounts with work queued or running (for tests and metrics). */
    public int activeLanes() {
        return this.tails.size();
    }

}
