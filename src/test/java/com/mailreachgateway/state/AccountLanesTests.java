package com.mailreachgateway.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import com.mailreachgateway.support.MutableTicker;
import com.mailreachgateway.system.Ticker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class AccountLanesTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final AccountLanes lanes = new AccountLanes(new LaneProperties(100), this.registry, Ticker.SYSTEM);

    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void workForOneAccountRunsOneAtATimeInArrivalOrder() throws Exception {
        Sinks.One<String> first = Sinks.one();
        var a = this.lanes.run(1, step("a", first.asMono()), WAIT).toFuture();
        var b = this.lanes.run(1, step("b", Mono.just("b")), WAIT).toFuture();

        assertThat(this.events).containsExactly("a started");
        assertThat(queued()).isEqualTo(1.0);
        first.tryEmitValue("a");

        assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("a");
        assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("b");
        assertThat(this.events).containsExactly("a started", "a ended", "b started", "b ended");
        assertThat(queued()).isZero();
    }

    @Test
    void workForDifferentAccountsRunsInParallel() throws Exception {
        Sinks.One<String> slow = Sinks.one();
        this.lanes.run(1, step("slow", slow.asMono()), WAIT).subscribe();
        var fast = this.lanes.run(2, step("fast", Mono.just("fast")), WAIT).toFuture();

        assertThat(fast.get(5, TimeUnit.SECONDS)).isEqualTo("fast");
        assertThat(this.events).containsExactly("slow started", "fast started", "fast ended");
        slow.tryEmitValue("slow");
    }

    @Test
    void workWhoseCallerLeftBeforeItsTurnIsSkippedWithoutLettingTheNextOvertake() throws Exception {
        Sinks.One<String> first = Sinks.one();
        this.lanes.run(1, step("a", first.asMono()), WAIT).subscribe();
        Disposable abandoned = this.lanes.run(1, step("b", Mono.just("b")), WAIT).subscribe();
        var c = this.lanes.run(1, step("c", Mono.just("c")), WAIT).toFuture();

        abandoned.dispose();
        assertThat(this.events).containsExactly("a started");
        first.tryEmitValue("a");

        assertThat(c.get(5, TimeUnit.SECONDS)).isEqualTo("c");
        assertThat(this.events).containsExactly("a started", "a ended", "c started", "c ended");
        assertThat(this.registry.get("gateway.lanes.abandoned").tag("stage", "queued").counter().count())
            .isEqualTo(1.0);
    }

    @Test
    void startedWorkRunsToItsEndEvenIfItsCallerLeavesAndIsCountedNotLogged() throws Exception {
        Sinks.One<String> first = Sinks.one();
        Disposable caller = this.lanes.run(1, step("a", first.asMono()), WAIT).subscribe();
        var b = this.lanes.run(1, step("b", Mono.just("b")), WAIT).toFuture();

        caller.dispose();
        assertThat(b).isNotDone();
        first.tryEmitError(new IllegalStateException("failed after its caller left"));

        assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("b");
        assertThat(this.events).containsExactly("a started", "b started", "b ended");
        assertThat(this.registry.get("gateway.lanes.abandoned").tag("stage", "running").counter().count())
            .isEqualTo(1.0);
        await().atMost(WAIT).until(() -> this.lanes.activeLanes() == 0);
    }

    @Test
    void longBacklogOfWorkThatEndsAtOnceDrainsInALoopWithoutOverflowingTheStack() throws Exception {
        Sinks.One<String> first = Sinks.one();
        AccountLanes deep = new AccountLanes(new LaneProperties(200_000), this.registry, Ticker.SYSTEM);
        deep.run(1, first.asMono(), WAIT).subscribe();
        List<CompletableFuture<Integer>> backlog = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            backlog.add(deep.run(1, Mono.just(i), WAIT).toFuture());
        }

        first.tryEmitValue("go");

        assertThat(backlog.get(backlog.size() - 1).get(5, TimeUnit.SECONDS)).isEqualTo(99_999);
        assertThat(backlog).allMatch(CompletableFuture::isDone);
        await().atMost(WAIT).until(() -> deep.activeLanes() == 0);
    }

    @Test
    void updateBeyondMaxQueuedIsRefusedAndNothingIsQueued() throws Exception {
        AccountLanes small = new AccountLanes(new LaneProperties(2), this.registry, Ticker.SYSTEM);
        Sinks.One<String> first = Sinks.one();
        small.run(1, first.asMono(), WAIT).subscribe();
        var second = small.run(1, step("second", Mono.just("2")), WAIT).toFuture();
        var third = small.run(1, step("third", Mono.just("3")), WAIT).toFuture();

        var fourth = small.run(1, step("fourth", Mono.just("4")), WAIT).toFuture();

        assertThatThrownBy(() -> fourth.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(LaneRefusedException.class)
            .cause()
            .satisfies((ex) -> assertThat(((LaneRefusedException) ex).full()).isTrue());
        first.tryEmitValue("1");
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("2");
        assertThat(third.get(5, TimeUnit.SECONDS)).isEqualTo("3");
        assertThat(this.events).containsExactly("second started", "second ended", "third started", "third ended");
    }

    @Test
    void updateWhoseTurnDoesNotComeInTimeIsRefusedAndNeverRuns() throws Exception {
        Sinks.One<String> first = Sinks.one();
        this.lanes.run(1, first.asMono(), WAIT).subscribe();
        var late = this.lanes.run(1, step("late", Mono.just("late")), Duration.ofMillis(50)).toFuture();

        assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(LaneRefusedException.class);
        first.tryEmitValue("1");

        await().atMost(WAIT).until(() -> this.lanes.activeLanes() == 0);
        assertThat(this.events).isEmpty();
    }

    @Test
    void holdKeepsTheLaneClosedUntilTheTickerPassesItAndIsRecordedForItsLength() throws Exception {
        MutableTicker ticker = new MutableTicker();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AccountLanes lanes = new AccountLanes(new LaneProperties(100), registry, ticker);
        long holdUntil = ticker.read() + Duration.ofMinutes(10).toNanos();
        var first = lanes.run(1, Mono.fromSupplier(() -> {
            lanes.holdUntil(1, holdUntil);
            return "first";
        }), WAIT).toFuture();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");

        // A lane drains as work arrives: had the hold not been on, this would have started at once.
        var next = lanes.run(1, Mono.just("next"), Duration.ofMinutes(1)).toFuture();
        assertThat(next).as("held for ten minutes of the ticker").isNotDone();
        assertThat(registry.get("gateway.lanes.holds").timer().max(TimeUnit.SECONDS)).isEqualTo(600);

        ticker.advance(Duration.ofMinutes(10));
        var after = lanes.run(1, Mono.just("after"), Duration.ofMinutes(1)).toFuture();

        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("next");
        assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo("after");
        await().atMost(WAIT).until(() -> lanes.activeLanes() == 0);
    }

    @Test
    void holdKeepsTheNextUpdateWaitingUntilItEnds() throws Exception {
        long holdUntil = System.nanoTime() + Duration.ofMillis(300).toNanos();
        var first = this.lanes.run(1, Mono.fromSupplier(() -> {
            this.lanes.holdUntil(1, holdUntil);
            return "first";
        }), WAIT).toFuture();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");

        var next = this.lanes.run(1, Mono.fromSupplier(System::nanoTime), WAIT).toFuture();

        assertThat(next.get(5, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(holdUntil);
        await().atMost(WAIT).until(() -> this.lanes.activeLanes() == 0);
    }

    @Test
    void holdSetByWorkThatEndsLaterStillOpensTheLaneWhenItEnds() throws Exception {
        var first = this.lanes.run(1, Mono.delay(Duration.ofMillis(50)).map((tick) -> {
            this.lanes.holdUntil(1, System.nanoTime() + Duration.ofMillis(300).toNanos());
            return "first";
        }), WAIT).toFuture();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");

        var next = this.lanes.run(1, Mono.just("next"), WAIT).toFuture();

        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("next");
    }

    @Test
    void updateThatCannotOutwaitAHoldIsRefusedWithTheHoldLeft() throws Exception {
        this.lanes.run(1, Mono.fromSupplier(() -> {
            this.lanes.holdUntil(1, System.nanoTime() + Duration.ofSeconds(3).toNanos());
            return "first";
        }), WAIT).block(WAIT);

        var next = this.lanes.run(1, step("next", Mono.just("next")), Duration.ofMillis(50)).toFuture();

        assertThatThrownBy(() -> next.get(5, TimeUnit.SECONDS)).cause()
            .isInstanceOfSatisfying(LaneRefusedException.class,
                    (ex) -> assertThat(ex.busyFor()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(3)));
        assertThat(this.events).isEmpty();
    }

    private double queued() {
        return this.registry.get("gateway.lanes.queued").gauge().value();
    }

    private Mono<String> step(String name, Mono<String> work) {
        return Mono.defer(() -> {
            this.events.add(name + " started");
            return work.doOnSuccess((value) -> this.events.add(name + " ended"));
        });
    }

}
