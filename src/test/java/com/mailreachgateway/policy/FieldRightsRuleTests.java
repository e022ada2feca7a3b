package com.mailreachgateway.policy;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static com.mailreachgateway.policy.TestPolicies.decisionsOf;
import static com.mailreachgateway.policy.TestPolicies.engine;
import static com.mailreachgateway.policy.TestPolicies.request;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the {@code field-rights} rule.
 */
class FieldRightsRuleTests {

    private final PolicyEngine engine = engine("reject", """
            field-rights:
              protected-fields: [alias, imap_issue]
            """);

    @Test
    void decideWhenCallerSendsFieldOutsideAllowedFieldsThenForbiddenBeforeAnyOtherRule() {
        Decision decision = this.engine.decide(request(null, Set.of("first_name"), "first_name", "Jo",
                "config_rampup_target", 30), null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORBIDDEN);
        assertThat(decision.forward()).isEmpty();
        assertThat(decision.violations()).singleElement().satisfies((rule) -> {
            assertThat(rule.rule()).isEqualTo("field-rights");
            assertThat(rule.action()).isEqualTo(RuleDecision.Action.FORBID);
            assertThat(rule.field()).isEqualTo("config_rampup_target");
            assertThat(rule.reason())
                .isEqualTo("caller 'crm' may not change config_rampup_target (not in its allowed-fields)");
        });
        assertThat(decisionsOf(decision, "tier-cap")).isEmpty();
    }

    @Test
    void decideWhenProtectedFieldSentByCallerAllowedEverythingThenForbidden() {
        Decision decision = this.engine.decide(request("alias", "john.doe@acme.com"), null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORBIDDEN);
        assertThat(decision.violations()).singleElement()
            .satisfies((rule) -> assertThat(rule.limit()).isEqualTo("protected-fields"));
    }

    @Test
    void decideWhenProtectedFieldExplicitlyAllowedThenPasses() {
        Decision decision = this.engine.decide(request(null, Set.of("alias", "desc"), "alias", "john.doe@acme.com"),
                null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORWARD);
        assertThat(decisionsOf(decision, "field-rights")).singleElement()
            .satisfies((rule) -> assertThat(rule.action()).isEqualTo(RuleDecision.Action.PASS));
    }

    @Test
    void decideWhenDefaultModeIsClampThenForbiddenFieldsAreStillForbidden() {
        Decision decision = engine("clamp", "").decide(request(null, Set.of(), "desc", "x"), null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORBIDDEN);
    }

    @Test
    void decideWhenEveryFieldAllowedThenOnePassPerSentField() {
        Decision decision = this.engine.decide(request("first_name", "Jo", "alive", true), null);
        assertThat(decisionsOf(decision, "field-rights")).extracting(RuleDecision::field)
            .containsExactly("first_name", "alive");
    }

}
