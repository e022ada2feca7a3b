package com.mailreachgateway.policy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static com.mailreachgateway.policy.TestPolicies.account;
import static com.mailreachgateway.policy.TestPolicies.engine;
import static com.mailreachgateway.policy.TestPolicies.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for which tier applies: account tag, then caller, then default.
 */
class TierResolutionTests {

    private final PolicyEngine engine = engine("clamp", "");

    @Test
    void decideWhenAccountHasTierTagThenTagWinsOverCallerTier() {
        Decision decision = this.engine.decide(request("basic", null, "config_rampup_target", 30),
                tagged("sales-team", "tier:premium"));
        assertThat(decision.tier()).isEqualTo("premium");
        assertThat(decision.tierSource()).isEqualTo("tag");
        assertThat(decision.forward()).containsEntry("config_rampup_target", 30);
    }

    @Test
    void decideWhenNoTierTagThenCallerTierApplies() {
        Decision decision = this.engine.decide(request("basic", null, "config_rampup_target", 30),
                tagged("sales-team"));
        assertThat(decision.tier()).isEqualTo("basic");
        assertThat(decision.tierSource()).isEqualTo("caller");
        assertThat(decision.forward()).containsEntry("config_rampup_target", 10);
    }

    @Test
    void decideWhenNeitherTagNorCallerTierThenDefaultTierApplies() {
        Decision decision = this.engine.decide(request("config_rampup_target", 30), null);
        assertThat(decision.tier()).isEqualTo("standard");
        assertThat(decision.tierSource()).isEqualTo("default");
    }

    @Test
    void decideWhenTagNamesUnknownTierThenIgnoresTagAndFallsThrough() {
        Decision decision = this.engine.decide(request("basic", null, "config_rampup_target", 30),
                tagged("tier:platinum"));
        assertThat(decision.tier()).isEqualTo("basic");
        assertThat(decision.tierSource()).isEqualTo("caller");
    }

    @Test
    void decideWhenTagDiffersInCaseThenStillMatches() {
        Decision decision = this.engine.decide(request("config_rampup_target", 30), tagged("Tier:Premium"));
        assertThat(decision.tier()).isEqualTo("premium");
    }

    @Test
    void decideWhenPrefixConfiguredThenUsesIt() {
        PolicyEngine custom = engine("""
                gateway:
                  policy:
                    default-tier: standard
                    tier-tag-prefix: "warming/"
                    tiers:
                      standard:
                        max-rampup-target: 20
                      premium:
                        max-rampup-target: 35
                """);
        assertThat(custom.decide(request("config_rampup_target", 30), tagged("warming/premium")).tier())
            .isEqualTo("premium");
        assertThat(custom.decide(request("config_rampup_target", 30), tagged("tier:premium")).tier())
            .isEqualTo("standard");
    }

    @Test
    void decideWhenCallerTierUnknownThenFailsNamingCallerAndTier() {
        assertThatExceptionOfType(IllegalStateException.class)
            .isThrownBy(() -> this.engine.decide(request("gold", null, "first_name", "Jo"), null))
            .withMessageContaining("'crm'")
            .withMessageContaining("'gold'");
    }

    @Test
    void validateCallerTiersWhenTierUnknownThenThrowsNamingCaller() {
        assertThatExceptionOfType(InvalidPolicyException.class)
            .isThrownBy(() -> this.engine.validateCallerTiers(Map.of("crm", "basic", "billing", "gold")))
            .withMessageContaining("caller billing tier = gold")
            .withMessageContaining("tiers: basic, premium, standard");
    }

    @Test
    void validateCallerTiersWhenAllKnownThenAccepts() {
        this.engine.validateCallerTiers(Map.of("crm", "basic", "billing", "premium"));
    }

    private static AccountFacts tagged(String... tags) {
        return account(List.of(tags), 92.0, Duration.ofDays(2000), 10, 1, 5);
    }

}
