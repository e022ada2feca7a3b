package com.mailreachgateway.policy;

import java.util.Set;

/**
 * Refuses combinations that cannot make sense: {@code config_rampup_increase} above
 * {@code config_rampup_target}, and optionally {@code config_max_conversation_running} above
 * {@code config_rampup_target}. Values are the ones about to be forwarded (after clamping), or the
 * account's current value for a field not sent. In {@code clamp} mode this rule rejects all the
 * same: there is no one right value to clamp to, and a field the caller did not send is never
 * added to the update.
 */
record ConsistencyRule(RuleMode mode, boolean maxConversationsWithinTarget) implements Rule {

    static final String NAME = "consistency";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean needsAccount(Set<String> sentFields) {
        boolean target = sentFields.contains(UpdateFields.RAMPUP_TARGET);
        return target != sentFields.contains(UpdateFields.RAMPUP_INCREASE) || (this.maxConversationsWithinTarget
                && target != sentFields.contains(UpdateFields.MAX_CONVERSATIONS));
    }

    @Override
    public void check(Evaluation evaluation) {
        notAbove(evaluation, UpdateFields.RAMPUP_INCREASE,
                "an account cannot add more conversations a day than its daily target");
        if (this.maxConversationsWithinTarget) {
            notAbove(evaluation, UpdateFields.MAX_CONVERSATIONS,
                    "more parallel conversations than the daily target is refused by this policy");
        }
    }

    /** Checks {@code field <= config_rampup_target} when either of the two is sent. */
    private void notAbove(Evaluation evaluation, String field, String why) {
        String target = UpdateFields.RAMPUP_TARGET;
        boolean fieldSent = evaluation.sent(field);
        if (!fieldSent && !evaluation.sent(target)) {
            return;
        }
        String subject = fieldSent ? field : target;
        Object requested = evaluation.request.fields().get(subject);
        String limit = field + " <= " + target;
        Integer value = effective(evaluation, field);
        Integer max = effective(evaluation, target);
        if (value == null || max == null) {
            String unknown = (value == null) ? field : target;
            evaluation.add(new RuleDecision(NAME, RuleDecision.Action.PASS, subject, requested,
                    evaluation.forward.get(subject), limit, "current " + unknown + " unknown: " + limit
                            + " not checked"));
        }
        else if (value <= max) {
            evaluation.add(new RuleDecision(NAME, RuleDecision.Action.PASS, subject, requested,
                    evaluation.forward.get(subject), limit, describe(evaluation, field) + " is not above "
                            + describe(evaluation, target)));
        }
        else {
            evaluation.add(new RuleDecision(NAME, RuleDecision.Action.REJECT, subject, requested, null, limit,
                    describe(evaluation, field) + " is above " + describe(evaluation, target) + ": " + why));
        }
    }

    private static Integer effective(Evaluation evaluation, String field) {
        return evaluation.sent(field) ? (Integer) evaluation.forward.get(field) : evaluation.current(field);
    }

    /** E.g. {@code config_rampup_target 3}, {@code ... 20 (clamped from 30)}, {@code ... 12 (current)}. */
    private static String describe(Evaluation evaluation, String field) {
        Integer value = effective(evaluation, field);
        if (!evaluation.sent(field)) {
            return field + " " + value + " (current)";
        }
        Object requested = evaluation.request.fields().get(field);
        return field + " " + value + (value.equals(requested) ? "" : " (clamped from " + requested + ")");
    }

}
