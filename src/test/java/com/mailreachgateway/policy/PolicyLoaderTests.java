package com.mailreachgateway.policy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static com.mailreachgateway.policy.TestPolicies.NOW;
import static com.mailreachgateway.policy.TestPolicies.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for loading and validating a policy: every problem names the rule, the key and the value.
 */
class PolicyLoaderTests {

    @Test
    void loadWhenExamplePolicyThenBindsEveryRule() throws IOException {
        PolicySnapshot snapshot;
        try (InputStream in = getClass().getResourceAsStream("/policy/example-policy.yaml")) {
            snapshot = PolicyLoader.fromYaml(in.readAllBytes(), "file:example-policy.yaml", NOW);
        }
        PolicyProperties policy = snapshot.policy();
        assertThat(policy.defaultMode()).isEqualTo(RuleMode.CLAMP);
        assertThat(policy.defaultTier()).isEqualTo("standard");
        assertThat(policy.tierTagPrefix()).isEqualTo("tier:");
        assertThat(policy.tiers()).containsOnlyKeys("basic", "standard", "premium");
        assertThat(policy.tiers().get("standard"))
            .isEqualTo(new PolicyProperties.TierLimits(20, 2, 15));
        assertThat(policy.rules().youngDomain().minAge()).isEqualTo(Duration.ofDays(90));
        assertThat(policy.rules().lowReputation().minScore()).isEqualTo(60.0);
        assertThat(policy.rules().fieldRights().protectedFields()).containsExactly("alias", "imap_issue");
        assertThat(snapshot.ruleModes()).containsExactly(java.util.Map.entry("field-rights", "on"),
                java.util.Map.entry("tier-cap", "clamp"), java.util.Map.entry("young-domain", "clamp"),
                java.util.Map.entry("low-reputation", "reject"), java.util.Map.entry("signature-hygiene", "clamp"),
                java.util.Map.entry("consistency", "reject"));
        assertThat(snapshot.version()).hasSize(12);
        assertThat(snapshot.source()).isEqualTo("file:example-policy.yaml");
    }

    @Test
    void loadWhenSameSettingsWithOtherCommentsThenSameVersion() {
        String a = TestPolicies.policy("clamp", "");
        String b = "# a comment\n" + a.replace("default-mode: clamp", "defaultMode: clamp   # relaxed name");
        assertThat(snapshot(a).version()).isEqualTo(snapshot(b).version());
        assertThat(snapshot(a).version()).isNotEqualTo(snapshot(a.replace("20", "21")).version());
    }

    @Test
    void loadWhenCapBelowSeedMinimumThenNamesRuleKeyAndValue() {
        assertInvalid(TestPolicies.policy("clamp", "").replace("max-rampup-target: 10", "max-rampup-target: 2"),
                "rule tier-cap: gateway.policy.tiers.basic.max-rampup-target = 2: below the minimum 3 of "
                        + "config_rampup_target");
    }

    @Test
    void loadWhenCapAboveSeedMaximumThenNamesRuleKeyAndValue() {
        assertInvalid(TestPolicies.policy("clamp", "").replace("max-rampup-increase: 5", "max-rampup-increase: 6"),
                "rule tier-cap: gateway.policy.tiers.premium.max-rampup-increase = 6: above the maximum 5");
    }

    @Test
    void loadWhenDefaultTierUnknownThenFails() {
        assertInvalid(TestPolicies.policy("clamp", "").replace("default-tier: standard", "default-tier: gold"),
                "rule policy: gateway.policy.default-tier = gold: not a tier (tiers: basic, premium, standard)");
    }

    @Test
    void loadWhenDefaultTierMissingThenFails() {
        assertInvalid(TestPolicies.policy("clamp", "").replace("    default-tier: standard\n", ""),
                "rule policy: gateway.policy.default-tier = (none): required");
    }

    @Test
    void loadWhenModeMisspeltThenListsTheModes() {
        assertInvalid(TestPolicies.policy("clamp", """
                young-domain:
                  mode: clmap
                """), "rule young-domain: gateway.policy.rules.young-domain.mode = clmap: must be one of clamp, "
                        + "reject, off");
    }

    @Test
    void loadWhenKeyMisspeltThenNamesTheKey() {
        assertInvalid(TestPolicies.policy("clamp", """
                young-domain:
                  min-age: 90d
                  max-rampup-targt: 10
                """), "rule young-domain: gateway.policy.rules.young-domain.max-rampup-targt = 10: unknown key");
    }

    @Test
    void loadWhenTierKeyMisspeltThenNamesTheKey() {
        assertInvalid(TestPolicies.policy("clamp", "").replace("max-conversations: 5", "max-conversation: 5"),
                "rule tier-cap: gateway.policy.tiers.basic.max-conversation = 5: unknown key");
    }

    @Test
    void loadWhenDurationUnreadableThenSaysWhatIsExpected() {
        assertInvalid(TestPolicies.policy("clamp", """
                young-domain:
                  min-age: ninety days
                  max-rampup-target: 10
                """), "rule young-domain: gateway.policy.rules.young-domain.min-age = ninety days: must be a "
                        + "duration such as 90d");
    }

    @Test
    void loadWhenYoungDomainHasNoThresholdThenFails() {
        assertInvalid(TestPolicies.policy("clamp", """
                young-domain:
                  max-rampup-target: 10
                """), "rule young-domain: gateway.policy.rules.young-domain.min-age = (none): required unless the "
                        + "rule's mode is off");
    }

    @Test
    void loadWhenMinAgeDaysGivenThenRefusesAndNamesMinAgeInstead() {
        assertInvalid(TestPolicies.policy("clamp", """
                young-domain:
                  min-age-days: 60
                  max-rampup-target: 10
                """), "rule young-domain: gateway.policy.rules.young-domain.min-age-days = 60: no longer supported: "
                        + "use min-age: 60d");
    }

    @Test
    void loadWhenInlineMinAgeDaysGivenThenRefusesAndNamesMinAgeInstead() {
        MockEnvironment environment = new MockEnvironment()
            .withProperty("gateway.policy.default-tier", "standard")
            .withProperty("gateway.policy.tiers.standard.max-rampup-target", "20")
            .withProperty("gateway.policy.rules.young-domain.min-age-days", "30")
            .withProperty("gateway.policy.rules.young-domain.max-rampup-target", "10");
        assertThatExceptionOfType(InvalidPolicyException.class)
            .isThrownBy(() -> PolicyLoader.fromEnvironment(environment, NOW))
            .withMessageContaining("gateway.policy.rules.young-domain.min-age-days = 30: no longer supported: "
                    + "use min-age: 30d");
    }

    @Test
    void loadWhenLowReputationScoreOutOfRangeThenFails() {
        assertInvalid(TestPolicies.policy("clamp", """
                low-reputation:
                  min-score: 120
                """), "rule low-reputation: gateway.policy.rules.low-reputation.min-score = 120.0: must be between "
                        + "0 and 100");
    }

    @Test
    void loadWhenProtectedFieldUnknownThenFails() {
        assertInvalid(TestPolicies.policy("clamp", """
                field-rights:
                  protected-fields: [alias, aliases]
                """), "rule field-rights: gateway.policy.rules.field-rights.protected-fields[1] = aliases: not a "
                        + "MailReach update field");
    }

    @Test
    void loadWhenTierNameNotLowerCaseThenFails() {
        assertInvalid(TestPolicies.policy("clamp", "").replace("premium:", "\"[Premium Plus]\":"),
                "rule tier-cap: gateway.policy.tiers.Premium Plus = Premium Plus: a tier name is lower case");
    }

    @Test
    void loadWhenSeveralProblemsThenReportsEveryOne() {
        InvalidPolicyException ex = catchInvalid(TestPolicies.policy("clamp", "")
            .replace("max-rampup-target: 10", "max-rampup-target: 2")
            .replace("default-tier: standard", "default-tier: gold"));
        assertThat(ex.problems()).hasSize(2);
    }

    @Test
    void loadWhenFileHasNoPolicySectionThenSaysSo() {
        assertInvalid("policy:\n  default-tier: standard\n", "the file has no gateway.policy section");
    }

    @Test
    void loadWhenFileIsNotYamlThenSaysSo() {
        assertInvalid("gateway: [policy\n", "not valid YAML");
    }

    @Test
    void loadWhenInlineInEnvironmentThenBindsWithRelaxedNames() {
        MockEnvironment environment = new MockEnvironment()
            .withProperty("gateway.policy.default-tier", "standard")
            .withProperty("gateway.policy.tiers.standard.max-rampup-target", "20")
            .withProperty("gateway.policy.rules.young-domain.minAge", "30")
            .withProperty("gateway.policy.rules.young-domain.max-rampup-target", "10");
        PolicySnapshot snapshot = PolicyLoader.fromEnvironment(environment, NOW);
        assertThat(snapshot.source()).isEqualTo("inline:gateway.policy");
        assertThat(snapshot.policy().rules().youngDomain().minAge()).isEqualTo(Duration.ofDays(30));
    }

    private static void assertInvalid(String yaml, String expected) {
        assertThat(catchInvalid(yaml).getMessage()).contains(expected);
    }

    private static InvalidPolicyException catchInvalid(String yaml) {
        InvalidPolicyException[] caught = new InvalidPolicyException[1];
        assertThatExceptionOfType(InvalidPolicyException.class).isThrownBy(() -> snapshot(yaml))
            .satisfies((ex) -> caught[0] = ex);
        return caught[0];
    }

}
