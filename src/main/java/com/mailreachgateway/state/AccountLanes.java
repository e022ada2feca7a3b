package com.mailreachgateway.state;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

import com.mailreachgateway.system.Ticker;

/**
 * One lane per account: work for one account runs one at a time, in the order it entered the
 * lane, while different accounts run in parallel. Once a piece of work has started it runs to
 * its end even if its caller goes away, so the next update never overtakes it upstream; work
 * whose caller leaves, or whose turn does not come in time, while it is still waiting is dropped
 * without breaking the order. Running work may hold the lane past its own end (the settle window
 * of an attempt that got no answer). A lane drains in a loop, never by recursion, however much
 * of its work finishes at once.
 */
@Component
@EnableConfigurationProperties(LaneProperties.class)
public class AccountLanes {

    private final ConcurrentMap<Integer, Lane> lanes = new ConcurrentHashMap<>();

    private final int maxQueued;

    private final AtomicInteger queued = new AtomicInteger();

    private final Counter abandonedQueued;

    private final Counter abandonedRunning;

    private final Counter refusedFull;

    private final Timer holds;

    private final Ticker ticker;

    private final Lane.Events events = new Lane.Events() {

        @Override
        public void dequeued() {
            AccountLanes.this.queued.decrementAndGet();
        }

        @Override
        public void endedWithoutCaller() {
            AccountLanes.this.abandonedRunning.increment();
        }

        @Override
        public void idle(Lane lane) {
            retireIfIdle(lane);
        }

    };

    public AccountLanes(LaneProperties properties, MeterRegistry registry, Ticker ticker) {
        this.ticker = ticker;
        this.maxQueued = properties.maxQueued();
        Gauge.builder("gateway.lanes.queued", this.queued, AtomicInteger::get)
            .description("Updates waiting in their account's lane behind a running one")
            .register(registry);
        Gauge.builder("gateway.lanes.active", this.lanes, ConcurrentMap::size)
            .description("Accounts with an update running, waiting or settling")
            .register(registry);
        this.abandonedQueued = abandoned(registry, "queued");
        this.abandonedRunning = abandoned(registry, "running");
        this.refusedFull = Counter.builder("gateway.lanes.refused")
            .description("Updates refused because their account's lane was full")
            .register(registry);
        this.holds = Timer.builder("gateway.lanes.holds")
            .description("Lanes held after an unanswered attempt, for the rest of its settle window")
            .register(registry);
    }

    private static Counter abandoned(MeterRegistry registry, String stage) {
        return Counter.builder("gateway.lanes.abandoned")
            .description("Updates whose caller left: dropped while queued, or finished without anyone waiting")
            .tag("stage", stage)
            .register(registry);
    }

    /**
     * Runs {@code work} when every earlier work of this account's lane has ended and any hold has
     * passed. Fails with {@link LaneRefusedException} when {@code max-queued} updates already wait,
     * or when the turn does not come within {@code maxWait}; the work never runs then.
     */
    public <T> Mono<T> run(int accountId, Mono<T> work, Duration maxWait) {
        return Mono.deferContextual((context) -> {
            Lane.Entry<T> entry = new Lane.Entry<>(work, context);
            Lane lane = this.lanes.compute(accountId, (id, existing) -> {
                Lane target = (existing != null) ? existing : new Lane(id, this.ticker, this.events);
                if (target.offer(entry, this.maxQueued)) {
                    this.queued.incrementAndGet();
                    entry.queued = true;
                }
                return target;
            });
            if (!entry.queued) {
                this.refusedFull.increment();
                lane.drain();
                return Mono.error(new LaneRefusedException(true, lane.holdLeft()));
            }
            lane.drain();
            return entry.result.asMono()
                .timeout(maxWait, Mono.defer(() -> entry.abandon()
                        ? Mono.error(new LaneRefusedException(false, lane.holdLeft())) : entry.result.asMono()))
                .doOnCancel(() -> {
                    entry.callerGone = true;
                    if (entry.abandon()) {
                        this.abandonedQueued.increment();
                    }
                });
        });
    }

    /**
     * Keeps the account's lane closed until {@code untilNanos} (on the {@link Ticker}) after the
     * running work ends. Called by that work.
     */
    public void holdUntil(int accountId, long untilNanos) {
        Lane lane = this.lanes.get(accountId);
        if (lane != null) {
            lane.holdUntil(untilNanos);
            this.holds.record(Math.max(0, untilNanos - this.ticker.read()), TimeUnit.NANOSECONDS);
        }
    }

    /** Number of accounts with work queued, running or settling (for tests and metrics). */
    public int activeLanes() {
        return this.lanes.size();
    }

    /** Takes an idle lane out of the map; a lane that got new work meanwhile stays. */
    private void retireIfIdle(Lane lane) {
        this.lanes.computeIfPresent(lane.accountId, (id, current) -> {
            if (current != lane) {
                return current;
            }
            return lane.idle() ? null : lane;
        });
    }

}
