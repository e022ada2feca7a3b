package com.mailreachgateway.state;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.mailreachgateway.support.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccountCacheTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final MutableClock clock = new MutableClock();

    private final AccountCache cache = newCache();

    @Test
    void loadThatFinishesAfterANewerUpdateKeepsTheUpdatedState() {
        Sinks.One<byte[]> slowRead = Sinks.one();
        this.cache.load(7, slowRead::asMono, WAIT).subscribe();

        this.cache.put(7, bytes("updated")).block(WAIT);
        slowRead.tryEmitValue(bytes("read before the update"));

        assertThat(text(this.cache.get(7).block(WAIT).orElseThrow().json())).isEqualTo("updated");
    }

    @Test
    void concurrentLoadsOfOneIdCallTheLoaderOnce() throws Exception {
        Sinks.One<byte[]> read = Sinks.one();
        AtomicInteger calls = new AtomicInteger();
        Mono<CachedAccount> first = this.cache.load(8, () -> {
            calls.incrementAndGet();
            return read.asMono();
        }, WAIT);
        Mono<CachedAccount> second = this.cache.load(8, () -> {
            calls.incrementAndGet();
            return read.asMono();
        }, WAIT);
        var a = first.toFuture();
        var b = second.toFuture();
        read.tryEmitValue(bytes("account"));

        assertThat(text(a.get(5, TimeUnit.SECONDS).json())).isEqualTo("account");
        assertThat(text(b.get(5, TimeUnit.SECONDS).json())).isEqualTo("account");
        assertThat(calls).hasValue(1);
    }

    @Test
    void loadStartedTheMomentAnotherFinishesReadsAgainInsteadOfReusingTheFinishedOne() {
        AtomicReference<String> second = new AtomicReference<>();

        this.cache.load(10, () -> Mono.just(bytes("first")), WAIT)
            .subscribe((first) -> this.cache.load(10, () -> Mono.just(bytes("second")), WAIT)
                .subscribe((account) -> second.set(text(account.json()))));

        assertThat(second).hasValue("second");
    }

    @Test
    void failedLoadIsNotReusedByTheNextLoad() {
        this.cache.load(11, () -> Mono.error(new IllegalStateException("down")), WAIT).onErrorComplete().block(WAIT);

        assertThat(text(this.cache.load(11, () -> Mono.just(bytes("up")), WAIT).block(WAIT).json())).isEqualTo("up");
    }

    @Test
    void joinerWhoseWaitRunsOutFailsAloneAndTheSharedLoadStillServesTheOthers() throws Exception {
        Sinks.One<byte[]> read = Sinks.one();
        AtomicInteger calls = new AtomicInteger();
        var patient = this.cache.load(12, () -> {
            calls.incrementAndGet();
            return read.asMono();
        }, WAIT).toFuture();
        var hurried = this.cache.load(12, read::asMono, Duration.ofMillis(50)).toFuture();

        assertThatThrownBy(() -> hurried.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(LoadTimeoutException.class);
        assertThat(patient).isNotDone();
        read.tryEmitValue(bytes("account"));

        assertThat(text(patient.get(5, TimeUnit.SECONDS).json())).isEqualTo("account");
        assertThat(calls).hasValue(1);
        assertThat(text(this.cache.get(12).block(WAIT).orElseThrow().json())).isEqualTo("account");
    }

    @Test
    void joinerThatLeavesDoesNotCancelTheSharedLoad() throws Exception {
        Sinks.One<byte[]> read = Sinks.one();
        Disposable leaver = this.cache.load(13, read::asMono, WAIT).subscribe();
        var stayer = this.cache.load(13, read::asMono, WAIT).toFuture();

        leaver.dispose();
        read.tryEmitValue(bytes("account"));

        assertThat(text(stayer.get(5, TimeUnit.SECONDS).json())).isEqualTo("account");
    }

    @Test
    void sharedLoadFailureReachesEveryJoinerAsTheSameError() throws Exception {
        Sinks.One<byte[]> read = Sinks.one();
        var a = this.cache.load(14, read::asMono, WAIT).toFuture();
        var b = this.cache.load(14, read::asMono, WAIT).toFuture();
        read.tryEmitError(new IllegalStateException("down"));

        assertThatThrownBy(() -> a.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("down");
        assertThatThrownBy(() -> b.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("down");
    }

    @Test
    void copyIsFreshWithinTtlThenUsableOnErrorWithinStaleIfError() {
        CachedAccount copy = this.cache.put(9, bytes("a")).block(WAIT);
        assertThat(this.cache.isFresh(copy)).isTrue();
        this.clock.advance(Duration.ofMinutes(5));
        assertThat(this.cache.isFresh(copy)).isFalse();
        assertThat(this.cache.isUsableOnError(copy)).isTrue();
        this.clock.advance(Duration.ofMinutes(55));
        assertThat(this.cache.isUsableOnError(copy)).isFalse();
    }

    private AccountCache newCache() {
        return new AccountCache(new CacheProperties(Duration.ofMinutes(5), Duration.ofHours(1), 100),
                new SimpleMeterRegistry(), this.clock);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

}
