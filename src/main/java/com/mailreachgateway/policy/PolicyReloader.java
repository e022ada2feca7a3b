package com.mailreachgateway.policy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Polls the policy file and activates its content when it changed and is valid; an invalid change
 * leaves the previous policy active. Compares a SHA-256 of the content rather than modification
 * times, because a Kubernetes ConfigMap is a symlink swapped atomically.
 */
public class PolicyReloader implements SmartLifecycle {

    private static final Log logger = LogFactory.getLog(PolicyReloader.class);

    private final PolicyEngine engine;

    private final Path file;

    private final Duration interval;

    private final Clock clock;

    private final Counter successes;

    private final Counter failures;

    /** Digest of the last content that failed, so a broken file is reported once, not every poll. */
    private String lastFailedDigest;

    private ScheduledExecutorService executor;

    public PolicyReloader(PolicyEngine engine, Path file, Duration interval, MeterRegistry registry, Clock clock) {
        this.engine = engine;
        this.file = file;
        this.interval = interval;
        this.clock = clock;
        this.successes = reloads(registry, "success");
        this.failures = reloads(registry, "failure");
    }

    private static Counter reloads(MeterRegistry registry, String result) {
        return Counter.builder("gateway.policy.reloads")
            .description("Policy file changes seen, by whether the new policy became active")
            .tag("result", result)
            .register(registry);
    }

    /**
     * Reads the file once and activates it if its content changed.
     * @return whether a new policy became active
     */
    public synchronized boolean check() {
        byte[] content;
        try {
            content = PolicyLoader.read(this.file);
        }
        catch (InvalidPolicyException ex) {
            return fail("unreadable:" + ex.getMessage(), ex);
        }
        String digest = PolicySnapshot.sha256(content);
        if (digest.equals(this.engine.active().contentDigest()) || digest.equals(this.lastFailedDigest)) {
            return false;
        }
        try {
            PolicySnapshot previous = this.engine.active();
            PolicySnapshot next = PolicyLoader.fromYaml(content, PolicyLoader.fileSource(this.file),
                    this.clock.instant());
            this.engine.activate(next);
            this.lastFailedDigest = null;
            this.successes.increment();
            logger.info("Policy reloaded from " + next.source() + ": version " + previous.version() + " -> "
                    + next.version());
            return true;
        }
        catch (InvalidPolicyException ex) {
            return fail(digest, ex);
        }
    }

    private boolean fail(String digest, InvalidPolicyException ex) {
        if (!Objects.equals(digest, this.lastFailedDigest)) {
            this.lastFailedDigest = digest;
            this.failures.increment();
            logger.error("Policy reload refused, version " + this.engine.version() + " stays active. "
                    + ex.getMessage());
        }
        return false;
    }

    @Override
    public synchronized void start() {
        this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
            Thread thread = new Thread(task, "policy-reloader");
            thread.setDaemon(true);
            return thread;
        });
        long millis = this.interval.toMillis();
        this.executor.scheduleWithFixedDelay(this::checkQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void checkQuietly() {
        try {
            check();
        }
        catch (RuntimeException ex) {
            // an unexpected failure must not cancel the schedule
            logger.error("Policy reload check failed", ex);
        }
    }

    @Override
    public synchronized void stop() {
        if (this.executor != null) {
            this.executor.shutdownNow();
            this.executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return this.executor != null;
    }

}
