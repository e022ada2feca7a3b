package com.mailreachgateway.state;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

import com.mailreachgateway.support.MutableTicker;

import static org.assertj.core.api.Assertions.assertThat;

/** One account's lane on its own, on a ticker moved by hand. */
class LaneTests {

    private final MutableTicker ticker = new MutableTicker();

    private final AtomicInteger dequeued = new AtomicInteger();

    private final AtomicInteger endedWithoutCaller = new AtomicInteger();

    private final AtomicInteger idle = new AtomicInteger();

    private final Lane lane = new Lane(7, this.ticker, new Lane.Events() {

        @Override
        public void dequeued() {
            LaneTests.this.dequeued.incrementAndGet();
        }

        @Override
        public void endedWithoutCaller() {
            LaneTests.this.endedWithoutCaller.incrementAndGet();
        }

        @Override
        public void idle(Lane lane) {
            LaneTests.this.idle.incrementAndGet();
        }

    });

    @Test
    void runsWorkOneAtATimeInTheOrderItWasOffered() {
        Sinks.Empty<Void> firstEnds = Sinks.empty();
        List<String> started = new CopyOnWriteArrayList<>();
        Lane.Entry<String> first = offer(firstEnds.asMono().then(Mono.fromSupplier(() -> "first"))
            .doOnSubscribe((s) -> started.add("first")));
        Lane.Entry<String> second = offer(Mono.fromSupplier(() -> {
            started.add("second");
            return "second";
        }));
        this.lane.drain();
        assertThat(started).containsExactly("first");

        firstEnds.tryEmitEmpty();

        assertThat(first.result.asMono().block(Duration.ofSeconds(5))).isEqualTo("first");
        assertThat(second.result.asMono().block(Duration.ofSeconds(5))).isEqualTo("second");
        assertThat(started).containsExactly("first", "second");
        assertThat(this.dequeued).hasValue(2);
        assertThat(this.lane.idle()).isTrue();
        assertThat(this.idle.get()).isPositive();
    }

    @Test
    void aHeldLaneStartsNothingUntilTheTickerPassesTheHold() {
        this.lane.holdUntil(this.ticker.read() + Duration.ofMinutes(10).toNanos());
        Lane.Entry<String> held = offer(Mono.just("held"));
        this.lane.drain();
        assertThat(held.result.currentSubscriberCount()).isZero();
        assertThat(this.dequeued).hasValue(0);
        assertThat(this.lane.holdLeft()).isEqualTo(Duration.ofMinutes(10));
        assertThat(this.lane.idle()).isFalse();

        this.ticker.advance(Duration.ofMinutes(4));
        assertThat(this.lane.holdLeft()).isEqualTo(Duration.ofMinutes(6));
        this.lane.holdUntil(this.ticker.read() + Duration.ofMinutes(1).toNanos());
        assertThat(this.lane.holdLeft()).as("a shorter hold does not shorten it").isEqualTo(Duration.ofMinutes(6));

        this.ticker.advance(Duration.ofMinutes(6));
        this.lane.drain();

        assertThat(held.result.asMono().block(Duration.ofSeconds(5))).isEqualTo("held");
        assertThat(this.lane.holdLeft()).isZero();
    }

    @Test
    void anEntryAbandonedWhileWaitingNeverRunsAndTheNextOneDoes() {
        AtomicInteger ran = new AtomicInteger();
        Lane.Entry<String> gone = offer(Mono.fromSupplier(() -> {
            ran.incrementAndGet();
            return "gone";
        }));
        Lane.Entry<String> next = offer(Mono.just("next"));
        assertThat(gone.abandon()).isTrue();

        this.lane.drain();

        assertThat(next.result.asMono().block(Duration.ofSeconds(5))).isEqualTo("next");
        assertThat(ran).hasValue(0);
        assertThat(gone.start()).as("an abandoned entry cannot start").isFalse();
        assertThat(this.dequeued).hasValue(2);
    }

    @Test
    void workWhoseCallerLeftStillRunsToItsEndAndIsCounted() {
        Lane.Entry<String> entry = offer(Mono.just("done"));
        entry.callerGone = true;

        this.lane.drain();

        assertThat(entry.result.asMono().block(Duration.ofSeconds(5))).isEqualTo("done");
        assertThat(this.endedWithoutCaller).hasValue(1);
    }

    @Test
    void refusesAnEntryPastItsLimit() {
        assertThat(this.lane.offer(new Lane.Entry<>(Mono.just("a"), Context.empty()), 1)).isTrue();
        assertThat(this.lane.offer(new Lane.Entry<>(Mono.just("b"), Context.empty()), 1)).isFalse();
    }

    @Test
    void drainsManyEntriesThatEndAtOnceInALoopNotByRecursion() {
        List<Lane.Entry<Integer>> entries = new java.util.ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            entries.add(offer(Mono.just(i)));
        }

        this.lane.drain();

        assertThat(entries.get(entries.size() - 1).result.asMono().block(Duration.ofSeconds(5))).isEqualTo(99_999);
        assertThat(this.dequeued).hasValue(100_000);
    }

    private <T> Lane.Entry<T> offer(Mono<T> work) {
        Lane.Entry<T> entry = new Lane.Entry<>(work, Context.empty());
        assertThat(this.lane.offer(entry, Integer.MAX_VALUE)).isTrue();
        return entry;
    }

}
