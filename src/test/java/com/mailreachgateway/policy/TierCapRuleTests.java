package com.mailreachgateway.policy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static com.mailreachgateway.policy.TestPolicies.decisionsOf;
import static com.mailreachgateway.policy.TestPolicies.engine;
import static com.mailreachgateway.policy.TestPolicies.request;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the {@code tier-cap} rule.
 */
class TierCapRuleTests {

    @Test
    void decideWhenRampupTargetAboveTierCapInClampModeThenForwardsCapAndExplains() {
        Decision decision = engine("clamp", "").decide(request("config_rampup_target", 30, "first_name", "Jo"), null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORWARD);
        assertThat(decision.forward()).containsExactly(Map.entry("config_rampup_target", 20),
                Map.entry("first_name", "Jo"));
        assertThat(decision.adjustments()).singleElement().satisfies((adjustment) -> {
            assertThat(adjustment.rule()).isEqualTo("tier-cap");
            assertThat(adjustment.action()).isEqualTo(RuleDecision.Action.CLAMP);
            assertThat(adjustment.requested()).isEqualTo(30);
            assertThat(adjustment.forwarded()).isEqualTo(20);
            assertThat(adjustment.limit()).isEqualTo("20");
            assertThat(adjustment.reason()).isEqualTo("tier standard allows config_rampup_target up to 20");
        });
    }

    @Test
    void decideWhenValuesWithinTierCapsThenPassesEachWithReason() {
        Decision decision = engine("clamp", "").decide(request("config_rampup_target", 20,
                "config_rampup_increase", 1, "config_max_conversation_running", 15), null);
        assertThat(decision.forward()).containsExactly(Map.entry("config_rampup_target", 20),
                Map.entry("config_rampup_increase", 1), Map.entry("config_max_conversation_running", 15));
        assertThat(decisionsOf(decision, "tier-cap")).hasSize(3)
            .allSatisfy((rule) -> assertThat(rule.action()).isEqualTo(RuleDecision.Action.PASS));
        assertThat(decision.adjustments()).isEmpty();
    }

    @Test
    void decideWhenAboveTierCapInRejectModeThenRejectsListingEveryViolation() {
        Decision decision = engine("reject", "").decide(request("config_rampup_target", 30,
                "config_max_conversation_running", 20, "config_rampup_increase", 1), null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.REJECTED);
        assertThat(decision.forward()).isEmpty();
        assertThat(decision.violations()).extracting(RuleDecision::field, RuleDecision::limit)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("config_rampup_target", "20"),
                    org.assertj.core.groups.Tuple.tuple("config_max_conversation_running", "15"));
    }

    @Test
    void decideWhenTierCapOffThenDoesNotEvaluateIt() {
        Decision decision = engine("clamp", """
                tier-cap:
                  mode: off
                """).decide(request("config_rampup_target", 30), null);
        assertThat(decision.forward()).containsEntry("config_rampup_target", 30);
        assertThat(decisionsOf(decision, "tier-cap")).isEmpty();
    }

    @Test
    void decideWhenTierHasNoCapForFieldThenRuleDoesNotApplyToIt() {
        Decision decision = engine("""
                gateway:
                  policy:
                    default-tier: open
                    tiers:
                      open:
                        max-rampup-target: 30
                """).decide(request("config_max_conversation_running", 35), null);
        assertThat(decision.forward()).containsEntry("config_max_conversation_running", 35);
        assertThat(decisionsOf(decision, "tier-cap")).isEmpty();
    }

}
