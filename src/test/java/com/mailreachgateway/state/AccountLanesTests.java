package com.mailreachgateway.state;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AccountLanesTests {

    private final AccountLanes lanes = new AccountLanes();

    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void workForOneAccountRunsOneAtATimeInArrivalOrder() {
        Sinks.One<String> first = Sinks.one();
        var a = this.lanes.run(1, step("a", first.asMono())).toFuture();
        var b = this.lanes.run(1, step("b", Mono.just("b"))).toFuture();

        assertThat(this.events).containsExactly("a started");
        first.tryEmitValue("a");

        assertThat(a.join()).isEqualTo("a");
        assertThat(b.join()).isEqualTo("b");
        assertThat(this.events).containsExactly("a started", "a ended", "b started", "b ended");
    }

    @Test
    void workForDifferentAccountsRunsInParallel() {
        Sinks.One<String> slow = Sinks.one();
        this.lanes.run(1, step("slow", slow.asMono())).subscribe();
        var fast = this.lanes.run(2, step("fast", Mono.just("fast"))).toFuture();

        assertThat(fast.join()).isEqualTo("fast");
        assertThat(this.events).containsExactly("slow started", "fast started", "fast ended");
        slow.tryEmitValue("slow");
    }

    @Test
    void workWhoseCallerLeftBeforeItsTurnIsSkippedWithoutLettingTheNextOvertake() {
        Sinks.One<String> first = Sinks.one();
        this.lanes.run(1, step("a", first.asMono())).subscribe();
        Disposable abandoned = this.lanes.run(1, step("b", Mono.just("b"))).subscribe();
        var c = this.lanes.run(1, step("c", Mono.just("c"))).toFuture();

        abandoned.dispose();
        assertThat(this.events).containsExactly("a started");
        first.tryEmitValue("a");

        assertThat(c.join()).isEqualTo("c");
        assertThat(this.events).containsExactly("a started", "a ended", "c started", "c ended");
    }

    @Test
    void startedWorkRunsToItsEndEvenIfItsCallerLeaves() {
        Sinks.One<String> first = Sinks.one();
        Disposable caller = this.lanes.run(1, step("a", first.asMono())).subscribe();
        var b = this.lanes.run(1, step("b", Mono.just("b"))).toFuture();

        caller.dispose();
        assertThat(b).isNotDone();
        first.tryEmitValue("a");

        assertThat(b.join()).isEqualTo("b");
        assertThat(this.events).containsExactly("a started", "a ended", "b started", "b ended");
        await().atMost(Duration.ofSeconds(2)).until(() -> this.lanes.activeLanes() == 0);
    }

    private Mono<String> step(String name, Mono<String> work) {
        return Mono.defer(() -> {
            this.events.add(name + " started");
            return work.doOnSuccess((value) -> this.events.add(name + " ended"));
        });
    }

}
