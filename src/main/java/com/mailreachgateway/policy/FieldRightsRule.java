package com.mailreachgateway.policy;

import java.util.Set;

/**
 * Which caller may change which field: a field outside the caller's {@code allowed-fields}, or a
 * protected field its {@code allowed-fields} does not list explicitly, is forbidden (403). Always
 * on and checked before every other rule: it is access control, so clamping or turning it off
 * makes no sense.
 */
final class FieldRightsRule {

    static final String NAME = "field-rights";

    private final Set<String> protectedFields;

    FieldRightsRule(Set<String> protectedFields) {
        this.protectedFields = Set.copyOf(protectedFields);
    }

    Set<String> protectedFields() {
        return this.protectedFields;
    }

    /** Whether the caller may change every field it sent. */
    boolean allows(PolicyRequest request) {
        return request.fields().keySet().stream().allMatch((field) -> forbidden(request, field) == null);
    }

    void check(Evaluation evaluation) {
        PolicyRequest request = evaluation.request;
        for (String field : request.fields().keySet()) {
            Object value = request.fields().get(field);
            String why = forbidden(request, field);
            if (why != null) {
                evaluation.add(new RuleDecision(NAME, RuleDecision.Action.FORBID, field, value, null, why, reason(
                        request, field, why)));
            }
            else {
                String limit = (request.allowedFields() != null) ? "allowed-fields" : "any unprotected field";
                evaluation.add(new RuleDecision(NAME, RuleDecision.Action.PASS, field, value, value, limit,
                        "caller '" + request.callerName() + "' may change " + field));
            }
        }
    }

    /** {@code allowed-fields} or {@code protected-fields} when forbidden, else {@code null}. */
    private String forbidden(PolicyRequest request, String field) {
        Set<String> allowed = request.allowedFields();
        if (allowed != null && !allowed.contains(field)) {
            return "allowed-fields";
        }
        if (this.protectedFields.contains(field) && allowed == null) {
            return "protected-fields";
        }
        return null;
    }

    private static String reason(PolicyRequest request, String field, String why) {
        if (why.equals("allowed-fields")) {
            return "caller '" + request.callerName() + "' may not change " + field + " (not in its allowed-fields)";
        }
        return field + " is protected: only a caller whose allowed-fields lists it may change it";
    }

}
