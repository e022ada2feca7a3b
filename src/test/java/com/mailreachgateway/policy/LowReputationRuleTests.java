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
 * Tests for the {@code low-reputation} rule.
 */
class LowReputationRuleTests {

    private static final String RULE = """
            low-reputation:
              mode: %s
              min-score: 60
            """;

    @Test
    void decideWhenScoreLowAndTargetRaisedInClampModeThenKeepsCurrentValue() {
        Decision decision = engine("clamp", RULE.formatted("clamp")).decide(request("config_rampup_target", 18),
                scored(42.0));
        assertThat(decision.forward()).containsEntry("config_rampup_target", 12);
        assertThat(decision.adjustments()).singleElement().satisfies((rule) -> {
            assertThat(rule.rule()).isEqualTo("low-reputation");
            assertThat(rule.limit()).isEqualTo("12");
            assertThat(rule.reason())
                .isEqualTo("score 42 is below 60: config_rampup_target may not rise above its current 12");
        });
    }

    @Test
    void decideWhenScoreLowAndValuesLoweredThenPasses() {
        Decision decision = engine("clamp", RULE.formatted("reject"))
            .decide(request("config_rampup_target", 8, "config_rampup_increase", 1), scored(42.0));
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORWARD);
        assertThat(decisionsOf(decision, "low-reputation")).hasSize(2)
            .allSatisfy((rule) -> assertThat(rule.action()).isEqualTo(RuleDecision.Action.PASS));
    }

    @Test
    void decideWhenScoreLowAndIncreaseRaisedInRejectModeThenRejects() {
        Decision decision = engine("clamp", RULE.formatted("reject")).decide(request("config_rampup_increase", 2),
                scored(59.5));
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.REJECTED);
        assertThat(decision.violations()).singleElement().satisfies((rule) -> {
            assertThat(rule.field()).isEqualTo("config_rampup_increase");
            assertThat(rule.limit()).isEqualTo("1");
            assertThat(rule.reason()).startsWith("score 59.5 is below 60");
        });
    }

    @Test
    void decideWhenTierClampBringsValueUnderRejectingCapThenForwardsClampedValue() {
        Decision decision = engine("clamp", RULE.formatted("reject")).decide(request("config_rampup_target", 25),
                account(List.of(), 42.0, Duration.ofDays(2000), 22, 1, 5));
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORWARD);
        assertThat(decision.forward()).containsEntry("config_rampup_target", 20);
        assertThat(decisionsOf(decision, "low-reputation")).singleElement()
            .satisfies((rule) -> assertThat(rule.action()).isEqualTo(RuleDecision.Action.PASS));
    }

    @Test
    void decideWhenValueStillAboveRejectingCapAfterClampsThenRejects() {
        Decision decision = engine("clamp", RULE.formatted("reject")).decide(request("config_rampup_target", 25),
                account(List.of(), 42.0, Duration.ofDays(2000), 18, 1, 5));
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.REJECTED);
        assertThat(decision.violations()).singleElement().satisfies((rule) -> {
            assertThat(rule.rule()).isEqualTo("low-reputation");
            assertThat(rule.requested()).isEqualTo(25);
            assertThat(rule.limit()).isEqualTo("18");
        });
    }

    @Test
    void decideWhenScoreAtThresholdThenValuesMayRise() {
        Decision decision = engine("clamp", RULE.formatted("reject")).decide(request("config_rampup_target", 18),
                scored(60.0));
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORWARD);
        assertThat(decisionsOf(decision, "low-reputation")).singleElement()
            .satisfies((rule) -> assertThat(rule.reason())
                .isEqualTo("score 60 is not below 60: config_rampup_target may rise"));
    }

    @Test
    void decideWhenScoreUnknownThenPassesAndSaysSo() {
        Decision decision = engine("clamp", RULE.formatted("reject")).decide(request("config_rampup_target", 18),
                null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORWARD);
        assertThat(decisionsOf(decision, "low-reputation")).singleElement()
            .satisfies((rule) -> assertThat(rule.reason()).isEqualTo("account score unknown: no low-reputation cap"));
    }

    @Test
    void decideWhenRuleHasNoSectionThenItIsOff() {
        Decision decision = engine("reject", "").decide(request("config_rampup_target", 18), scored(10.0));
        assertThat(decisionsOf(decision, "low-reputation")).isEmpty();
    }

    private static AccountFacts scored(Double score) {
        return account(List.of(), score, Duration.ofDays(2000), 12, 1, 5);
    }

}
