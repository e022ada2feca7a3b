package com.mailreachgateway.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * While the account's score is below a threshold, {@code config_rampup_target} and
 * {@code config_rampup_increase} may be lowered but not raised above their current values; an
 * unknown score or current value leaves the update unrestricted by this rule.
 */
record LowReputationRule(RuleMode mode, double minScore) implements Rule {

    static final String NAME = "low-reputation";

    private static final List<String> FIELDS = List.of(UpdateFields.RAMPUP_TARGET, UpdateFields.RAMPUP_INCREASE);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean needsAccount(Set<String> sentFields) {
        return FIELDS.stream().anyMatch(sentFields::contains);
    }

    @Override
    public List<Limit> limits(Evaluation evaluation) {
        List<Limit> limits = new ArrayList<>();
        Double score = (evaluation.account != null) ? evaluation.account.score() : null;
        for (String field : evaluation.request.fields().keySet()) {
            if (!FIELDS.contains(field)) {
                continue;
            }
            Integer current = evaluation.current(field);
            if (score == null) {
                limits.add(new Limit(field, null, "account score unknown: no low-reputation cap"));
            }
            else if (score >= this.minScore) {
                limits.add(new Limit(field, null,
                        "score " + number(score) + " is not below " + number(this.minScore) + ": " + field
                                + " may rise"));
            }
            else if (current == null) {
                limits.add(new Limit(field, null, "score " + number(score) + " is below " + number(this.minScore)
                        + " but the current " + field + " is unknown: no low-reputation cap"));
            }
            else {
                // MailReach's own values are in range; keep the cap there even if one is not
                int cap = Math.max(UpdateFields.min(field), Math.min(UpdateFields.max(field), current));
                limits.add(new Limit(field, cap, "score " + number(score) + " is below " + number(this.minScore)
                        + ": " + field + " may not rise above its current " + cap));
            }
        }
        return limits;
    }

    static String number(double value) {
        return (value == Math.rint(value) && !Double.isInfinite(value)) ? String.valueOf((long) value)
                : String.valueOf(value);
    }

}
