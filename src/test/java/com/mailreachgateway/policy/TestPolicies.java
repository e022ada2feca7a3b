package com.mailreachgateway.policy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds policies, requests and account facts for the policy tests.
 */
final class TestPolicies {

    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** Three tiers and nothing else: every other rule at its default. */
    static final String TIERS = """
            gateway:
              policy:
                default-mode: %s
                default-tier: standard
                tiers:
                  basic:
                    max-rampup-target: 10
                    max-rampup-increase: 1
                    max-conversations: 5
                  standard:
                    max-rampup-target: 20
                    max-rampup-increase: 2
                    max-conversations: 15
                  premium:
                    max-rampup-target: 35
                    max-rampup-increase: 5
                    max-conversations: 35
            """;

    private TestPolicies() {
    }

    /** The three tiers in the given default mode, plus {@code rules} indented under {@code gateway.policy.rules}. */
    static String policy(String defaultMode, String rules) {
        String yaml = TIERS.formatted(defaultMode);
        if (rules.isBlank()) {
            return yaml;
        }
        return yaml + "    rules:\n" + rules.stripIndent().lines().map((line) -> "      " + line + "\n")
            .reduce("", String::concat);
    }

    static PolicySnapshot snapshot(String yaml) {
        return PolicyLoader.fromYaml(yaml.getBytes(StandardCharsets.UTF_8), "test", NOW);
    }

    static PolicyEngine engine(String yaml) {
        return new PolicyEngine(snapshot(yaml), CLOCK);
    }

    static PolicyEngine engine(String defaultMode, String rules) {
        return engine(policy(defaultMode, rules));
    }

    /** A request from caller {@code crm}, without a tier, allowed every field. */
    static PolicyRequest request(Object... namesAndValues) {
        return request(null, null, namesAndValues);
    }

    static PolicyRequest request(String callerTier, Set<String> allowedFields, Object... namesAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return new PolicyRequest("crm", callerTier, allowedFields, fields);
    }

    static AccountFacts account(List<String> tags, Double score, Duration domainAge, Integer target,
            Integer increase, Integer conversations) {
        return new AccountFacts(tags, score, (domainAge != null) ? NOW.minus(domainAge) : null, target, increase,
                conversations, "acme.io");
    }

    /** An old, reputable account at 10/1/5, without tags. */
    static AccountFacts healthyAccount() {
        return account(List.of(), 92.0, Duration.ofDays(2000), 10, 1, 5);
    }

    static List<RuleDecision> decisionsOf(Decision decision, String rule) {
        return decision.rules().stream().filter((r) -> r.rule().equals(rule)).toList();
    }

}
