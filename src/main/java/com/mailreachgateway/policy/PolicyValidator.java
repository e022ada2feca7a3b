package com.mailreachgateway.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Finds every problem of a bound policy, each naming the rule, the key and the value.
 */
final class PolicyValidator {

    private static final String PREFIX = "gateway.policy.";

    private static final Pattern TIER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    private final List<String> problems = new ArrayList<>();

    private PolicyValidator() {
    }

    static List<String> problems(PolicyProperties policy) {
        PolicyValidator validator = new PolicyValidator();
        validator.validate(policy);
        return List.copyOf(validator.problems);
    }

    private void validate(PolicyProperties policy) {
        if (policy.tiers().isEmpty()) {
            problem("tier-cap", "tiers", "(none)", "define at least the default tier");
        }
        policy.tiers().forEach((name, limits) -> {
            if (!TIER_NAME.matcher(name).matches()) {
                problem("tier-cap", "tiers." + name, name,
                        "a tier name is lower case letters, digits, '-' and '_' (it is a metric tag value)");
            }
            if (limits != null) {
                String key = "tiers." + name + ".";
                cap("tier-cap", key + "max-rampup-target", UpdateFields.RAMPUP_TARGET, limits.maxRampupTarget());
                cap("tier-cap", key + "max-rampup-increase", UpdateFields.RAMPUP_INCREASE,
                        limits.maxRampupIncrease());
                cap("tier-cap", key + "max-conversations", UpdateFields.MAX_CONVERSATIONS, limits.maxConversations());
            }
        });
        if (policy.defaultTier() == null || policy.defaultTier().isBlank()) {
            problem("policy", "default-tier", "(none)", "required: the tier used when no tag or caller names one");
        }
        else if (!policy.tiers().containsKey(policy.defaultTier())) {
            problem("policy", "default-tier", policy.defaultTier(), "not a tier (tiers: " + tierList(policy) + ")");
        }
        if (policy.tierTagPrefix().isBlank()) {
            problem("policy", "tier-tag-prefix", "'" + policy.tierTagPrefix() + "'",
                    "must not be blank, or every tag would name a tier");
        }
        PolicyProperties.Rules rules = policy.rules();
        // Scripts, event handlers, iframes and forms must never reach MailReach's emails.
        if (rules.signatureHygiene() != null
                && mode(rules.signatureHygiene().mode(), policy.defaultMode()) == RuleMode.OFF) {
            problem(SignatureHygieneRule.NAME, "rules.signature-hygiene.mode", "off",
                    "must be clamp (clean the HTML) or reject (refuse it): unsafe signatures never pass");
        }
        else if (rules.signatureHygiene() == null && policy.defaultMode() == RuleMode.OFF) {
            problem(SignatureHygieneRule.NAME, "default-mode", "off",
                    "would switch signature-hygiene off: set rules.signature-hygiene.mode to clamp or reject");
        }
        youngDomain(rules.youngDomain(), policy.defaultMode());
        lowReputation(rules.lowReputation(), policy.defaultMode());
        if (rules.fieldRights() != null) {
            List<String> fields = rules.fieldRights().protectedFields();
            for (int i = 0; i < fields.size(); i++) {
                if (!UpdateFields.ALL.contains(fields.get(i))) {
                    problem("field-rights", "rules.field-rights.protected-fields[" + i + "]", fields.get(i),
                            "not a MailReach update field (" + String.join(", ", new TreeSet<>(UpdateFields.ALL))
                                    + ")");
                }
            }
        }
    }

    private void youngDomain(PolicyProperties.YoungDomain rule, RuleMode defaultMode) {
        if (rule == null) {
            return;
        }
        String name = YoungDomainRule.NAME;
        String key = "rules.young-domain.";
        cap(name, key + "max-rampup-target", UpdateFields.RAMPUP_TARGET, rule.maxRampupTarget());
        cap(name, key + "max-rampup-increase", UpdateFields.RAMPUP_INCREASE, rule.maxRampupIncrease());
        cap(name, key + "max-conversations", UpdateFields.MAX_CONVERSATIONS, rule.maxConversations());
        if (rule.minAge() != null && (rule.minAge().isNegative() || rule.minAge().isZero())) {
            problem(name, key + "min-age", rule.minAge(), "must be positive, e.g. 90d");
        }
        if (mode(rule.mode(), defaultMode) != RuleMode.OFF) {
            if (rule.minAge() == null) {
                problem(name, key + "min-age", "(none)", "required unless the rule's mode is off, e.g. 90d");
            }
            if (rule.maxRampupTarget() == null && rule.maxRampupIncrease() == null
                    && rule.maxConversations() == null) {
                problem(name, key + "max-*", "(none)",
                        "set at least one of max-rampup-target, max-rampup-increase, max-conversations");
            }
        }
    }

    private void lowReputation(PolicyProperties.LowReputation rule, RuleMode defaultMode) {
        if (rule == null) {
            return;
        }
        String key = "rules.low-reputation.min-score";
        if (rule.minScore() != null && (rule.minScore() < 0 || rule.minScore() > 100 || rule.minScore().isNaN())) {
            problem(LowReputationRule.NAME, key, rule.minScore(), "must be between 0 and 100");
        }
        if (rule.minScore() == null && mode(rule.mode(), defaultMode) != RuleMode.OFF) {
            problem(LowReputationRule.NAME, key, "(none)", "required unless the rule's mode is off, e.g. 60");
        }
    }

    /** A cap must stay within the field's documented range, or clamping could forward a value MailReach refuses. */
    private void cap(String rule, String key, String field, Integer value) {
        if (value == null) {
            return;
        }
        if (value < UpdateFields.min(field)) {
            problem(rule, key, value, "below the minimum " + UpdateFields.min(field) + " of " + field
                    + ": clamping would forward a value MailReach refuses");
        }
        else if (value > UpdateFields.max(field)) {
            problem(rule, key, value, "above the maximum " + UpdateFields.max(field) + " of " + field
                    + ": the cap would never apply");
        }
    }

    private void problem(String rule, String key, Object value, String message) {
        this.problems.add(format(rule, PREFIX + key, value, message));
    }

    static String format(String rule, String key, Object value, String message) {
        return "rule " + rule + ": " + key + " = " + value + ": " + message;
    }

    static RuleMode mode(RuleMode mode, RuleMode defaultMode) {
        return (mode != null) ? mode : defaultMode;
    }

    private static String tierList(PolicyProperties policy) {
        return String.join(", ", policy.tiers().keySet());
    }

    /** The rule a configuration key belongs to, e.g. {@code tier-cap} for {@code gateway.policy.tiers.x}. */
    static String ruleOf(String key) {
        if (key.startsWith(PREFIX + "rules.")) {
            String rest = key.substring((PREFIX + "rules.").length());
            int dot = rest.indexOf('.');
            return (dot < 0) ? rest : rest.substring(0, dot);
        }
        if (key.startsWith(PREFIX + "tiers")) {
            return TierCapRule.NAME;
        }
        return "policy";
    }

}
