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
 * Tests for the {@code young-domain} rule.
 */
class YoungDomainRuleTests {

    private static final String RULE = """
            young-domain:
              mode: %s
              min-age: 90d
              max-rampup-target: 10
              max-rampup-increase: 1
            """;

    @Test
    void decideWhenDomainYoungerThanMinAgeThenClampsToTighterCapsAndSaysHowOld() {
        Decision decision = engine("clamp", RULE.formatted("clamp"))
            .decide(request("config_rampup_target", 15, "config_rampup_increase", 2), aged(12));
        assertThat(decision.forward()).containsEntry("config_rampup_target", 10)
            .containsEntry("config_rampup_increase", 1);
        assertThat(decisionsOf(decision, "young-domain")).extracting(RuleDecision::reason)
            .containsExactly("domain acme.io is 12 days old (< 90): config_rampup_target up to 10",
                    "domain acme.io is 12 days old (< 90): config_rampup_increase up to 1");
    }

    @Test
    void decideWhenTierAndYoungDomainBothClampThenLowestWinsAndBothAreListed() {
        Decision decision = engine("clamp", RULE.formatted("clamp")).decide(request("config_rampup_target", 30),
                aged(12));
        assertThat(decision.forward()).containsEntry("config_rampup_target", 10);
        assertThat(decision.adjustments()).extracting(RuleDecision::rule, RuleDecision::forwarded, RuleDecision::limit)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("tier-cap", 10, "20"),
                    org.assertj.core.groups.Tuple.tuple("young-domain", 10, "10"));
    }

    @Test
    void decideWhenDomainOlderThanMinAgeThenPassesWithReason() {
        Decision decision = engine("clamp", RULE.formatted("clamp")).decide(request("config_rampup_target", 15),
                aged(400));
        assertThat(decision.forward()).containsEntry("config_rampup_target", 15);
        assertThat(decisionsOf(decision, "young-domain")).singleElement().satisfies((rule) -> {
            assertThat(rule.action()).isEqualTo(RuleDecision.Action.PASS);
            assertThat(rule.reason()).isEqualTo("domain acme.io is 400 days old (>= 90): no young-domain cap");
        });
    }

    @Test
    void decideWhenYoungDomainInRejectModeThenRejectsWithLimit() {
        Decision decision = engine("clamp", RULE.formatted("reject")).decide(request("config_rampup_target", 15),
                aged(12));
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.REJECTED);
        assertThat(decision.violations()).singleElement().satisfies((rule) -> {
            assertThat(rule.rule()).isEqualTo("young-domain");
            assertThat(rule.limit()).isEqualTo("10");
        });
    }

    @Test
    void decideWhenDomainCreationDateUnknownThenPassesAndSaysSo() {
        Decision decision = engine("clamp", RULE.formatted("clamp")).decide(request("config_rampup_target", 15),
                null);
        assertThat(decision.forward()).containsEntry("config_rampup_target", 15);
        assertThat(decisionsOf(decision, "young-domain")).singleElement()
            .satisfies((rule) -> assertThat(rule.reason()).contains("unknown"));
    }

    @Test
    void decideWhenMinAgeIsABareNumberThenCountsDays() {
        Decision decision = engine("clamp", """
                young-domain:
                  min-age: 30
                  max-rampup-target: 10
                """).decide(request("config_rampup_target", 15), aged(29));
        assertThat(decision.forward()).containsEntry("config_rampup_target", 10);
    }

    @Test
    void decideWhenFieldHasNoYoungDomainCapThenRuleDoesNotApplyToIt() {
        Decision decision = engine("clamp", RULE.formatted("clamp"))
            .decide(request("config_max_conversation_running", 15), aged(12));
        assertThat(decisionsOf(decision, "young-domain")).isEmpty();
    }

    private static AccountFacts aged(int days) {
        return account(List.of(), 92.0, Duration.ofDays(days).plusHours(3), 10, 1, 5);
    }

}
