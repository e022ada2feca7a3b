package com.mailreachgateway.account;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.mailreachgateway.policy.Decision;
import com.mailreachgateway.policy.RuleDecision;
import com.mailreachgateway.system.GatewayException;
import com.mailreachgateway.system.ProblemType;

/**
 * Thrown when the policy refuses an update: 403 when the caller may not change a field, 422
 * when a rule in reject mode was violated. Lists every violation with its rule and limit.
 */
class PolicyRefusedException extends GatewayException {

    PolicyRefusedException(Decision decision) {
        super((decision.verdict() == Decision.Verdict.FORBIDDEN) ? ProblemType.FIELD_FORBIDDEN
                : ProblemType.POLICY_VIOLATION, detail(decision));
        getBody().setProperty("tier", decision.tier());
        getBody().setProperty("violations", decision.violations().stream().map(PolicyRefusedException::render).toList());
        getBody().setProperty("errors", decision.violations()
            .stream()
            .map((violation) -> Map.of("field", String.valueOf(violation.field()), "message", violation.reason()))
            .toList());
        getHeaders().set(PolicyHeaders.TIER, decision.tier());
    }

    private static String detail(Decision decision) {
        List<RuleDecision> violations = decision.violations();
        if (decision.verdict() == Decision.Verdict.FORBIDDEN) {
            return "This caller may not change: "
                    + violations.stream().map(RuleDecision::field).distinct().collect(Collectors.joining(", ")) + ".";
        }
        return violations.stream().map(RuleDecision::reason).collect(Collectors.joining("; "));
    }

    static Map<String, Object> render(RuleDecision decision) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rule", decision.rule());
        out.put("action", decision.action().tag());
        if (decision.field() != null) {
            out.put("field", decision.field());
        }
        if (decision.requested() != null) {
            out.put("requested", decision.requested());
        }
        if (decision.forwarded() != null) {
            out.put("forwarded", decision.forwarded());
        }
        if (decision.limit() != null) {
            out.put("limit", decision.limit());
        }
        out.put("reason", decision.reason());
        return out;
    }

}
