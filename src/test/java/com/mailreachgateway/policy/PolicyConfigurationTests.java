package com.mailreachgateway.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the policy's Spring wiring: where the policy comes from, startup failure, info and
 * metrics.
 */
class PolicyConfigurationTests {

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withUserConfiguration(PolicyConfiguration.class)
        .withBean(Clock.class, () -> TestPolicies.CLOCK)
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

    @Test
    void startWhenInlinePolicyThenEngineUsesItWithoutReloader() {
        this.runner
            .withPropertyValues("gateway.policy.default-tier=basic", "gateway.policy.tiers.basic.max-rampup-target=10")
            .run((context) -> {
                assertThat(context).hasSingleBean(PolicyEngine.class).doesNotHaveBean(PolicyReloader.class);
                assertThat(context.getBean(PolicyEngine.class).active().source()).isEqualTo("inline:gateway.policy");
                assertThat(context.getBean(PolicyEngine.class).active().loadedAt()).isEqualTo(TestPolicies.NOW);
            });
    }

    @Test
    void startWhenPolicyFileSetThenItWinsOverInlineAndIsWatched() throws IOException {
        Path file = this.dir.resolve("policy.yaml");
        Files.writeString(file, TestPolicies.policy("reject", ""));
        this.runner
            .withPropertyValues("gateway.policy-file=" + file, "gateway.policy-reload-interval=1m",
                    "gateway.policy.default-tier=other", "gateway.policy.tiers.other.max-rampup-target=10")
            .run((context) -> {
                assertThat(context).hasSingleBean(PolicyReloader.class);
                assertThat(context.getBean(PolicyReloader.class).isRunning()).isTrue();
                PolicySnapshot active = context.getBean(PolicyEngine.class).active();
                assertThat(active.source()).isEqualTo("file:" + file);
                assertThat(active.policy().defaultTier()).isEqualTo("standard");
                assertThat(context.getBean(PolicySourceProperties.class).policyReloadInterval())
                    .hasMinutes(1);
            });
    }

    @Test
    void startWhenPolicyInvalidThenFailsNamingRuleKeyAndValue() {
        this.runner
            .withPropertyValues("gateway.policy.default-tier=basic", "gateway.policy.tiers.basic.max-rampup-target=50")
            .run((context) -> assertThat(context).hasFailed()
                .getFailure()
                .rootCause()
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("rule tier-cap: gateway.policy.tiers.basic.max-rampup-target = 50"));
    }

    @Test
    void infoWhenStartedThenDescribesActivePolicy() {
        this.runner
            .withPropertyValues("gateway.policy.default-tier=basic", "gateway.policy.tiers.basic.max-rampup-target=10")
            .run((context) -> {
                Info.Builder builder = new Info.Builder();
                context.getBean(PolicyInfoContributor.class).contribute(builder);
                @SuppressWarnings("unchecked")
                Map<String, Object> policy = (Map<String, Object>) builder.build().get("policy");
                assertThat(policy).containsEntry("version", context.getBean(PolicyEngine.class).version())
                    .containsEntry("loadedAt", "2026-11-28T12:00:00Z")
                    .containsEntry("source", "inline:gateway.policy")
                    .containsEntry("defaultMode", "clamp")
                    .containsEntry("defaultTier", "basic")
                    .containsKeys("tiers", "rules");
            });
    }

    @Test
    void metricsWhenStartedThenLoadedTimestampGaugeReportsLoadTime() {
        this.runner
            .withPropertyValues("gateway.policy.default-tier=basic", "gateway.policy.tiers.basic.max-rampup-target=10")
            .run((context) -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                context.getBean(io.micrometer.core.instrument.binder.MeterBinder.class).bindTo(registry);
                assertThat(registry.get("gateway.policy.loaded.timestamp").gauge().value())
                    .isEqualTo(TestPolicies.NOW.getEpochSecond());
            });
    }

}
