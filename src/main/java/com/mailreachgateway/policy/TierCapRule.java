package com.mailreachgateway.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Caps {@code config_rampup_target}, {@code config_rampup_increase} and
 * {@code config_max_conversation_running} at the maxima of the tier that applies.
 */
record TierCapRule(RuleMode mode, Map<String, PolicyProperties.TierLimits> tiers) implements Rule {

    static final String NAME = "tier-cap";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Limit> limits(Evaluation evaluation) {
        PolicyProperties.TierLimits caps = this.tiers.get(evaluation.tier);
        List<Limit> limits = new ArrayList<>();
        if (caps != null) {
            add(limits, evaluation, UpdateFields.RAMPUP_TARGET, caps.maxRampupTarget());
            add(limits, evaluation, UpdateFields.RAMPUP_INCREASE, caps.maxRampupIncrease());
            add(limits, evaluation, UpdateFields.MAX_CONVERSATIONS, caps.maxConversations());
        }
        return limits;
    }

    private void add(List<Limit> limits, Evaluation evaluation, String field, Integer max) {
        if (max != null && evaluation.sent(field)) {
            limits.add(new Limit(field, max, "tier " + evaluation.tier + " allows " + field + " up to " + max));
        }
    }

}
