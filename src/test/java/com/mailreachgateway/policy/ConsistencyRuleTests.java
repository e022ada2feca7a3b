package com.mailreachgateway.policy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static com.mailreachgateway.policy.TestPolicies.account;
import static com.mailreachgateway.policy.TestPolicies.decisionsOf;
import static com.mailreachgateway.policy.TestPolicies.engine;
import static com.mailreachgateway.policy.TestPolicies.request;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the {@code consistency} rule.
 */
class ConsistencyRuleTests {

    @Test
    void decideWhenIncreaseAboveTargetThenRejectsWithClearMessage() {
        Decision decision = engine("reject", "").decide(request("config_rampup_target", 3, "config_rampup_increase", 5),
                null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.REJECTED);
        assertThat(decisionsOf(decision, "consistency")).singleElement().satisfies((rule) -> {
            assertThat(rule.action()).isEqualTo(RuleDecision.Action.REJECT);
            assertThat(rule.field()).isEqualTo("config_rampup_increase");
            assertThat(rule.limit()).isEqualTo("config_rampup_increase <= config_rampup_target");
            assertThat(rule.reason()).isEqualTo("config_rampup_increase 5 is above config_rampup_target 3: "
                    + "an account cannot add more conversations a day than its daily target");
        });
    }

    @Test
    void decideWhenModeIsClampThenInconsistencyIsRejectedAllTheSame() {
        Decision decision = engine("clamp", """
                tier-cap:
                  mode: off
                """).decide(request("config_rampup_target", 3, "config_rampup_increase", 5), null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.REJECTED);
        assertThat(decision.violations()).extracting(RuleDecision::rule).containsExactly("consistency");
    }

    @Test
    void decideWhenOnlyTargetSentThenComparesWithCurrentIncrease() {
        Decision decision = engine("reject", "").decide(request("config_rampup_target", 3), current(10, 5));
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.REJECTED);
        assertThat(decision.violations()).singleElement().satisfies((rule) -> {
            assertThat(rule.field()).isEqualTo("config_rampup_target");
            assertThat(rule.reason()).startsWith("config_rampup_increase 5 (current) is above config_rampup_target 3");
        });
    }

    @Test
    void decideWhenOnlyIncreaseSentAndAccountUnknownThenPassesAndSaysSo() {
        Decision decision = engine("reject", "").decide(request("config_rampup_increase", 2), null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORWARD);
        assertThat(decisionsOf(decision, "consistency")).singleElement()
            .satisfies((rule) -> assertThat(rule.reason()).startsWith("current config_rampup_target unknown"));
    }

    @Test
    void decideWhenClampingMakesValuesInconsistentThenRejectsNamingTheClamp() {
        Decision decision = engine("clamp", """
                young-domain:
                  min-age: 90d
                  max-rampup-target: 3
                consistency:
                  mode: reject
                """).decide(request("config_rampup_target", 30, "config_rampup_increase", 4),
                account(List.of("tier:premium"), 90.0, Duration.ofDays(5), 10, 1, 5));
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.REJECTED);
        assertThat(decision.violations()).singleElement().satisfies((rule) -> assertThat(rule.reason())
            .startsWith("config_rampup_increase 4 is above config_rampup_target 3 (clamped from 30)"));
    }

    @Test
    void decideWhenConversationsAboveTargetThenAllowedUnlessOptionSet() {
        PolicyRequest request = request("config_rampup_target", 5, "config_max_conversation_running", 10);
        assertThat(engine("reject", "").decide(request, null).verdict()).isEqualTo(Decision.Verdict.FORWARD);
        Decision strict = engine("reject", """
                consistency:
                  max-conversations-within-target: true
                """).decide(request, null);
        assertThat(strict.verdict()).isEqualTo(Decision.Verdict.REJECTED);
        assertThat(strict.violations()).singleElement()
            .satisfies((rule) -> assertThat(rule.field()).isEqualTo("config_max_conversation_running"));
    }

    @Test
    void decideWhenNeitherRampupFieldSentThenRuleDoesNotApply() {
        Decision decision = engine("reject", "").decide(request("config_max_conversation_running", 10), null);
        assertThat(decisionsOf(decision, "consistency")).isEmpty();
    }

    private static AccountFacts current(int target, int increase) {
        return account(List.of(), 92.0, Duration.ofDays(2000), target, increase, 5);
    }

}
