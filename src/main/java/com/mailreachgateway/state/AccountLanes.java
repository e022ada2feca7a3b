package com.mailreachgateway.state;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

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
            Entry<T> entry = new Entry<>(work, context);
            Lane lane = this.lanes.compute(accountId, (id, existing) -> {
                Lane target = (existing != null) ? existing : new Lane(id, this.ticker);
                synchronized (target) {
                    if (target.waiting.size() < this.maxQueued) {
                        target.waiting.add(entry);
                        this.queued.incrementAndGet();
                        entry.queued = true;
                    }
                }
                return target;
            });
            if (!entry.queued) {
                this.refusedFull.increment();
                drain(lane);
                return Mono.error(new LaneRefusedException(true, lane.holdLeft()));
            }
            drain(lane);
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
            synchronized (lane) {
                if (untilNanos - lane.holdUntil > 0) {
                    lane.holdUntil = untilNanos;
                }
            }
            this.holds.record(Math.max(0, untilNanos - this.ticker.read()), TimeUnit.NANOSECONDS);
        }
    }

    /** Number of accounts with work queued, running or settling (for tests and metrics). */
    public int activeLanes() {
        return this.lanes.size();
    }

    /**
     * Starts the next live entry when nothing runs and no hold is on. Whoever enters while another
     * thread drains only marks that there is more to do, so a lane whose work ends at once is
     * drained by the loop, not by a call stack that grows with the queue.
     */
    private void drain(Lane lane) {
        if (lane.wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            Entry<?> next = null;
            boolean idle = false;
            synchronized (lane) {
                if (lane.running == null) {
                    long hold = lane.holdUntil - this.ticker.read();
                    if (hold > 0) {
                        if (!lane.holdTimer) {
                            lane.holdTimer = true;
                            Schedulers.parallel().schedule(() -> endHold(lane), hold, TimeUnit.NANOSECONDS);
                        }
                    }
                    else {
                        while ((next = lane.waiting.poll()) != null) {
                            this.queued.decrementAndGet();
                            if (next.start()) {
                                break;
                            }
                        }
                        lane.running = next;
                        idle = next == null;
                    }
                }
            }
            if (next != null) {
                run(lane, next);
            }
            else if (idle) {
                retireIfIdle(lane);
            }
            missed = lane.wip.addAndGet(-missed);
        }
        while (missed != 0);
    }

    private <T> void run(Lane lane, Entry<T> entry) {
        entry.work.contextWrite(entry.context).subscribe((value) -> entry.result.tryEmitValue(value), (error) -> {
            entry.result.tryEmitError(error);
            finished(lane, entry);
        }, () -> {
            entry.result.tryEmitEmpty();
            finished(lane, entry);
        });
    }

    private void finished(Lane lane, Entry<?> entry) {
        if (entry.callerGone) {
            this.abandonedRunning.increment();
        }
        synchronized (lane) {
            lane.running = null;
        }
        drain(lane);
    }

    private void endHold(Lane lane) {
        synchronized (lane) {
            lane.holdTimer = false;
        }
        drain(lane);
    }

    /** Takes an idle lane out of the map; a lane that got new work meanwhile stays. */
    private void retireIfIdle(Lane lane) {
        this.lanes.computeIfPresent(lane.accountId, (id, current) -> {
            if (current != lane) {
                return current;
            }
            synchronized (lane) {
                return (lane.running == null && lane.waiting.isEmpty() && lane.holdUntil - this.ticker.read() <= 0)
                        ? null : lane;
            }
        });
    }

    /** One account's queue. Guarded by its own monitor; {@code wip} counts drain requests. */
    private static final class Lane {

        final int accountId;

        final ArrayDeque<Entry<?>> waiting = new ArrayDeque<>();

        final AtomicInteger wip = new AtomicInteger();

        Entry<?> running;

        final Ticker ticker;

        long holdUntil;

        boolean holdTimer;

        Lane(int accountId, Ticker ticker) {
            this.accountId = accountId;
            this.ticker = ticker;
            this.holdUntil = ticker.read();
        }

        synchronized Duration holdLeft() {
            long left = this.holdUntil - this.ticker.read();
            return (left > 0) ? Duration.ofNanos(left) : Duration.ZERO;
        }

    }

    /** One piece of work and its caller's side: started or abandoned, whichever comes first. */
    private static final class Entry<T> {

        final Mono<T> work;

        final ContextView context;

        final Sinks.One<T> result = Sinks.one();

        final AtomicReference<EntryState> state = new AtomicReference<>(EntryState.WAITING);

        boolean queued;

        volatile boolean callerGone;

        Entry(Mono<T> work, ContextView context) {
            this.work = work;
            this.context = context;
        }

        /** Claims the entry for running; false if its caller gave up first. */
        boolean start() {
            return this.state.compareAndSet(EntryState.WAITING, EntryState.STARTED);
        }

        /** Claims the entry as dropped; false if it has already started. */
        boolean abandon() {
            return this.state.compareAndSet(EntryState.WAITING, EntryState.ABANDONED);
        }

    }

    /** Where an entry stands: it leaves {@code WAITING} once, to whichever comes first. */
    private enum EntryState {

        /** In the queue, neither started nor given up. */
        WAITING,

        /** Its work has been subscribed to; it runs to its end. */
        STARTED,

        /** Its caller left or its turn did not come in time; it never runs. */
        ABANDONED

    }

}
