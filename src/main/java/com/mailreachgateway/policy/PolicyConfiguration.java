package com.mailreachgateway.policy;

import java.time.Clock;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Loads the policy at startup (an invalid policy stops the application), reloads the policy file
 * when it changes, and exposes the policy in {@code /actuator/info} and in metrics.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ PolicySourceProperties.class, PolicyProperties.class })
class PolicyConfiguration {

    /**
     * The policy engine over {@code gateway.policy-file} when set, else over the inline
     * {@code gateway.policy}; uses the application's {@link Clock} bean when there is one.
     */
    @Bean
    PolicyEngine policyEngine(Environment environment, PolicySourceProperties source, ObjectProvider<Clock> clock) {
        Clock effective = clock.getIfAvailable(Clock::systemUTC);
        PolicySnapshot initial = (source.policyFile() != null)
                ? PolicyLoader.fromFile(source.policyFile(), effective.instant())
                : PolicyLoader.fromEnvironment(environment, effective.instant());
        return new PolicyEngine(initial, effective);
    }

    @Bean
    @ConditionalOnProperty("gateway.policy-file")
    PolicyReloader policyReloader(PolicyEngine engine, PolicySourceProperties source,
            ObjectProvider<MeterRegistry> registry, ObjectProvider<Clock> clock) {
        return new PolicyReloader(engine, source.policyFile(), source.policyReloadInterval(),
                registry.getIfAvailable(() -> Metrics.globalRegistry), clock.getIfAvailable(Clock::systemUTC));
    }

    @Bean
    PolicyInfoContributor policyInfoContributor(PolicyEngine engine) {
        return new PolicyInfoContributor(engine);
    }

    /**
     * {@code gateway_policy_loaded_timestamp_seconds}: when the active policy was loaded; and
     * {@code gateway_policy_reloads_total}, present from the start (at zero) even when the policy
     * is inline, so that alerts and dashboards always have a series to read.
     */
    @Bean
    MeterBinder policyLoadedTimestamp(PolicyEngine engine) {
        return (registry) -> {
            for (String result : new String[] { "success", "failure" }) {
                io.micrometer.core.instrument.Counter.builder("gateway.policy.reloads")
                    .description("Policy file changes seen, by whether the new policy became active")
                    .tag("result", result)
                    .register(registry);
            }
            Gauge.builder("gateway.policy.loaded.timestamp", engine,
                    (e) -> e.active().loadedAt().toEpochMilli() / 1000.0)
                .description("When the active policy was loaded, in seconds since the epoch")
                .baseUnit("seconds")
                .register(registry);
        };
    }

}
