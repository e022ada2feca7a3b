package com.mailreachgateway.state;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

import com.mailreachgateway.system.Ticker;

/**
 * One account's queue of work: runs it one at a time in the order it was offered, drains in a loop
 * (never by recursion), and stays closed while held. Guarded by its own monitor; {@code wip} counts
 * drain requests. {@link AccountLanes} keeps one per account and hears of its events.
 */
final class Lane {

    /** What the lanes keep count of, told by the lane. */
    interface Events {

        /** An entry left the queue (started or dropped). */
        void dequeued();

        /** Work whose caller had left ran to its end. */
        void endedWithoutCaller();

        /** Nothing runs, waits or holds: the lane may be retired. */
        void idle(Lane lane);

    }

    final int accountId;

    private final Ticker ticker;

    private final Events events;

    private final ArrayDeque<Entry<?>> waiting = new ArrayDeque<>();

    private final AtomicInteger wip = new AtomicInteger();

    private Entry<?> running;

    private long holdUntil;

    private boolean holdTimer;

    Lane(int accountId, Ticker ticker, Events events) {
        this.accountId = accountId;
        this.ticker = ticker;
        this.events = events;
        this.holdUntil = ticker.read();
    }

    /** Queues {@code entry} unless {@code maxQueued} already wait; call {@link #drain()} after. */
    synchronized boolean offer(Entry<?> entry, int maxQueued) {
        if (this.waiting.size() < maxQueued) {
            this.waiting.add(entry);
            return true;
        }
        return false;
    }

    /** Keeps the lane closed until {@code untilNanos} (on the ticker), unless it already is for longer. */
    synchronized void holdUntil(long untilNanos) {
        if (untilNanos - this.holdUntil > 0) {
            this.holdUntil = untilNanos;
        }
    }

    synchronized Duration holdLeft() {
        long left = this.holdUntil - this.ticker.read();
        return (left > 0) ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** Whether nothing runs, waits or holds. */
    synchronized boolean idle() {
        return this.running == null && this.waiting.isEmpty() && this.holdUntil - this.ticker.read() <= 0;
    }

    /**
     * Starts the next live entry when nothing runs and no hold is on. Whoever enters while another
     * thread drains only marks that there is more to do, so a lane whose work ends at once is
     * drained by the loop, not by a call stack that grows with the queue.
     */
    void drain() {
        if (this.wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            Entry<?> next = null;
            boolean idle = false;
            synchronized (this) {
                if (this.running == null) {
                    long hold = this.holdUntil - this.ticker.read();
                    if (hold > 0) {
                        if (!this.holdTimer) {
                            this.holdTimer = true;
                            Schedulers.parallel().schedule(() -> endHold(), hold, TimeUnit.NANOSECONDS);
                        }
                    }
                    else {
                        while ((next = this.waiting.poll()) != null) {
                            this.events.dequeued();
                            if (next.start()) {
                                break;
                            }
                        }
                        this.running = next;
                        idle = next == null;
                    }
                }
            }
            if (next != null) {
                run(next);
            }
            else if (idle) {
                this.events.idle(this);
            }
            missed = this.wip.addAndGet(-missed);
        }
        while (missed != 0);
    }

    private <T> void run(Entry<T> entry) {
        entry.work.contextWrite(entry.context).subscribe((value) -> entry.result.tryEmitValue(value), (error) -> {
            entry.result.tryEmitError(error);
            finished(entry);
        }, () -> {
            entry.result.tryEmitEmpty();
            finished(entry);
        });
    }

    private void finished(Entry<?> entry) {
        if (entry.callerGone) {
            this.events.endedWithoutCaller();
        }
        synchronized (this) {
            this.running = null;
        }
        drain();
    }

    private void endHold() {
        synchronized (this) {
            this.holdTimer = false;
        }
        drain();
    }

    /** One piece of work and its caller's side: started or abandoned, whichever comes first. */
    static final class Entry<T> {

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
