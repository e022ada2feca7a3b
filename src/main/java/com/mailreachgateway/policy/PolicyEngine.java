package com.mailreachgateway.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * Decides what becomes of an update: which tier applies, which fields the caller may change,
 * and which values are clamped to the tier's caps.
 */
@Component
@EnableConfigurationProperties(PolicyProperties.class)
public class PolicyEngine {

    private final PolicyProperties properties;

    public PolicyEngine(PolicyProperties properties) {
        this.properties = properties;
    }

    /** Whether deciding this update needs the account's current state. */
    public boolean needsAccount(PolicyRequest request) {
        return false;
    }

    /** Decides one update; {@code account} may be {@code null} when the state is unknown. */
    public Decision decide(PolicyRequest request, AccountFacts account) {
        List<RuleDecision> rules = new ArrayList<>();
        for (String field : request.fields().keySet()) {
            if (request.allowedFields() != null && !request.allowedFields().contains(field)) {
                rules.add(new RuleDecision("field-rights", RuleDecision.Action.FORBID, field, null, null, null,
                        "caller '" + request.callerName() + "' may not change " + field));
            }
        }
        String tier = (request.callerTier() != null) ? request.callerTier() : this.properties.defaultTier();
        if (!rules.isEmpty()) {
            return new Decision(tier, "caller", Decision.Verdict.FORBIDDEN, Map.of(), rules, version());
        }
        PolicyProperties.TierLimits limits = this.properties.tiers().get(tier);
        Map<String, Object> forward = new LinkedHashMap<>(request.fields());
        if (limits != null) {
            cap(forward, "config_rampup_target", limits.maxRampupTarget(), tier, rules);
            cap(forward, "config_rampup_increase", limits.maxRampupIncrease(), tier, rules);
            cap(forward, "config_max_conversation_running", limits.maxConversations(), tier, rules);
        }
        return new Decision(tier, "caller", Decision.Verdict.FORWARD, forward, rules, version());
    }

    private void cap(Map<String, Object> forward, String field, Integer max, String tier, List<RuleDecision> rules) {
        if (max != null && forward.get(field) instanceof Integer value && value > max) {
            forward.put(field, max);
            rules.add(new RuleDecision("tier-cap", RuleDecision.Action.CLAMP, field, value, max, String.valueOf(max),
                    "tier " + tier + " allows at most " + max));
        }
    }

    /** Content hash of the active policy. */
    public String version() {
        return Integer.toHexString(this.properties.hashCode());
    }

}
