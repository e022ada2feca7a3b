package com.mailreachgateway.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.mailreachgateway.policy.TestPolicies.CLOCK;
import static com.mailreachgateway.policy.TestPolicies.NOW;
import static com.mailreachgateway.policy.TestPolicies.request;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for reloading the policy file when its content changes.
 */
class PolicyReloadTests {

    @TempDir
    Path dir;

    private Path file;

    private PolicyEngine engine;

    private PolicyReloader reloader;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void load() throws IOException {
        this.file = this.dir.resolve("policy.yaml");
        Files.writeString(this.file, TestPolicies.policy("clamp", ""));
        this.engine = new PolicyEngine(PolicyLoader.fromFile(this.file, NOW), CLOCK);
        this.reloader = new PolicyReloader(this.engine, this.file, Duration.ofSeconds(5), this.registry, CLOCK);
    }

    @Test
    void checkWhenContentUnchangedThenKeepsSnapshotAndCountsNothing() {
        PolicySnapshot before = this.engine.active();
        assertThat(this.reloader.check()).isFalse();
        assertThat(this.engine.active()).isSameAs(before);
        assertThat(reloads("success") + reloads("failure")).isZero();
    }

    @Test
    void checkWhenCapChangedThenNewSnapshotDecides() throws IOException {
        String before = this.engine.version();
        assertThat(cappedTarget()).isEqualTo(20);
        Files.writeString(this.file, TestPolicies.policy("clamp", "").replace("max-rampup-target: 20",
                "max-rampup-target: 12"));
        assertThat(this.reloader.check()).isTrue();
        assertThat(this.engine.version()).isNotEqualTo(before);
        assertThat(this.engine.active().source()).isEqualTo("file:" + this.file);
        assertThat(cappedTarget()).isEqualTo(12);
        assertThat(reloads("success")).isEqualTo(1);
    }

    @Test
    void checkWhenFileReplacedThroughSymlinkSwapThenReloads() throws IOException {
        // Kubernetes mounts a ConfigMap as ..data -> ..timestamp/, swapped atomically
        Path first = Files.createDirectory(this.dir.resolve("..2026_11_28_1"));
        Path second = Files.createDirectory(this.dir.resolve("..2026_11_28_2"));
        Files.writeString(first.resolve("policy.yaml"), TestPolicies.policy("clamp", ""));
        Files.writeString(second.resolve("policy.yaml"),
                TestPolicies.policy("clamp", "").replace("max-rampup-target: 20", "max-rampup-target: 14"));
        Path data = Files.createSymbolicLink(this.dir.resolve("..data"), first.getFileName());
        Path mounted = Files.createSymbolicLink(this.dir.resolve("mounted.yaml"), Path.of("..data/policy.yaml"));
        this.engine = new PolicyEngine(PolicyLoader.fromFile(mounted, NOW), CLOCK);
        this.reloader = new PolicyReloader(this.engine, mounted, Duration.ofSeconds(5), this.registry, CLOCK);
        Path next = Files.createSymbolicLink(this.dir.resolve("..data_tmp"), second.getFileName());
        Files.move(next, data, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertThat(this.reloader.check()).isTrue();
        assertThat(cappedTarget()).isEqualTo(14);
    }

    @Test
    void checkWhenChangeInvalidThenOldSnapshotStaysAndFailureCountedOnce() throws IOException {
        PolicySnapshot before = this.engine.active();
        Files.writeString(this.file, TestPolicies.policy("clamp", "").replace("max-rampup-target: 20",
                "max-rampup-target: 2"));
        assertThat(this.reloader.check()).isFalse();
        assertThat(this.reloader.check()).isFalse();
        assertThat(this.engine.active()).isSameAs(before);
        assertThat(cappedTarget()).isEqualTo(20);
        assertThat(reloads("failure")).isEqualTo(1);
        assertThat(reloads("success")).isZero();
    }

    @Test
    void checkWhenChangeUsesMinAgeDaysThenOldSnapshotStays() throws IOException {
        PolicySnapshot before = this.engine.active();
        Files.writeString(this.file, TestPolicies.policy("clamp", """
                young-domain:
                  min-age-days: 30
                  max-rampup-target: 10
                """));
        assertThat(this.reloader.check()).isFalse();
        assertThat(this.engine.active()).isSameAs(before);
        assertThat(reloads("failure")).isEqualTo(1);
    }

    @Test
    void checkWhenFixedAfterInvalidChangeThenReloads() throws IOException {
        Files.writeString(this.file, "gateway: [policy\n");
        assertThat(this.reloader.check()).isFalse();
        Files.writeString(this.file, TestPolicies.policy("reject", ""));
        assertThat(this.reloader.check()).isTrue();
        assertThat(this.engine.active().policy().defaultMode()).isEqualTo(RuleMode.REJECT);
        assertThat(reloads("failure")).isEqualTo(1);
        assertThat(reloads("success")).isEqualTo(1);
    }

    @Test
    void checkWhenFileDisappearsThenOldSnapshotStays() throws IOException {
        PolicySnapshot before = this.engine.active();
        Files.delete(this.file);
        assertThat(this.reloader.check()).isFalse();
        assertThat(this.engine.active()).isSameAs(before);
        assertThat(reloads("failure")).isEqualTo(1);
    }

    @Test
    void checkWhenNewPolicyDropsACallersTierThenRefusesIt() throws IOException {
        this.engine.validateCallerTiers(Map.of("crm", "premium"));
        Files.writeString(this.file, TestPolicies.policy("clamp", "").replace("premium:", "gold:"));
        assertThat(this.reloader.check()).isFalse();
        assertThat(this.engine.active().policy().tiers()).containsKey("premium");
        assertThat(reloads("failure")).isEqualTo(1);
    }

    private int cappedTarget() {
        return (Integer) this.engine.decide(request("config_rampup_target", 35), null)
            .forward()
            .get("config_rampup_target");
    }

    private double reloads(String result) {
        return this.registry.get("gateway.policy.reloads").tag("result", result).counter().count();
    }

}
