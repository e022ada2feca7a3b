package com.mailreachgateway.policy;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static com.mailreachgateway.policy.TestPolicies.engine;
import static com.mailreachgateway.policy.TestPolicies.request;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for when a decision needs the account's current state.
 */
class NeedsAccountTests {

    private static final String STATEFUL = """
            young-domain:
              min-age: 90d
              max-conversations: 5
            low-reputation:
              min-score: 60
            """;

    private final PolicyEngine engine = engine("clamp", STATEFUL);

    @Test
    void needsAccountWhenOnlyNamesSentThenFalse() {
        assertThat(this.engine.needsAccount(request("first_name", "John", "last_name", "Doe", "signature", "x")))
            .isFalse();
    }

    @Test
    void needsAccountWhenTierCapIsTheOnlyRuleOnTheFieldsThenFalse() {
        assertThat(engine("clamp", "").needsAccount(
                request("config_rampup_target", 20, "config_rampup_increase", 2, "config_max_conversation_running", 9)))
            .isFalse();
    }

    @Test
    void needsAccountWhenYoungDomainGovernsSentFieldThenTrue() {
        assertThat(this.engine.needsAccount(request("config_max_conversation_running", 9))).isTrue();
    }

    @Test
    void needsAccountWhenLowReputationGovernsSentFieldThenTrue() {
        assertThat(this.engine.needsAccount(request("config_rampup_target", 9, "config_rampup_increase", 1)))
            .isTrue();
    }

    @Test
    void needsAccountWhenStatefulRulesAreOffThenFalse() {
        PolicyEngine off = engine("clamp", """
                young-domain:
                  mode: off
                  min-age: 90d
                  max-conversations: 5
                low-reputation:
                  mode: off
                """);
        assertThat(off.needsAccount(request("config_rampup_target", 9, "config_rampup_increase", 1,
                "config_max_conversation_running", 9))).isFalse();
    }

    @Test
    void needsAccountWhenOnlyOneOfTargetAndIncreaseSentThenConsistencyNeedsTheOther() {
        PolicyEngine consistencyOnly = engine("clamp", "");
        assertThat(consistencyOnly.needsAccount(request("config_rampup_target", 9))).isTrue();
        assertThat(consistencyOnly.needsAccount(request("config_rampup_target", 9, "config_rampup_increase", 1)))
            .isFalse();
    }

    @Test
    void needsAccountWhenFieldRightsForbidTheUpdateThenFalse() {
        assertThat(this.engine.needsAccount(request(null, Set.of("first_name"), "config_rampup_target", 9)))
            .isFalse();
    }

}
