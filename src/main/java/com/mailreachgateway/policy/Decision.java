package com.mailreachgateway.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policy's answer to one update.
 *
 * @param tier the tier that applied
 * @param tierSource where the tier came from: {@code tag}, {@code caller} or {@code default}
 * @param verdict forward, or refuse (403 / 422)
 * @param forward the fields to forward, in request order (empty unless {@link Verdict#FORWARD})
 * @param rules every rule's decision, in evaluation order
 * @param policyVersion content hash of the policy that decided
 */
public record Decision(String tier, String tierSource, Verdict verdict, Map<String, Object> forward,
        List<RuleDecision> rules, String policyVersion) {

    public Decision {
        forward = Collections.unmodifiableMap(new LinkedHashMap<>(forward));
        rules = List.copyOf(rules);
    }

    /** Rules that changed a value that is still forwarded (clamped or sanitised). */
    public List<RuleDecision> adjustments() {
        return this.rules.stream()
            .filter((r) -> r.action() == RuleDecision.Action.CLAMP || r.action() == RuleDecision.Action.SANITIZE)
            .toList();
    }

    /** Rules that refused the update: forbidden fields or rejected values. */
    public List<RuleDecision> violations() {
        return this.rules.stream()
            .filter((r) -> r.action() == RuleDecision.Action.REJECT || r.action() == RuleDecision.Action.FORBID)
            .toList();
    }

    /** What becomes of the update. */
    public enum Verdict {

        /** Forward {@link #forward()} to MailReach. */
        FORWARD,
        /** The caller may not change at least one field: 403. */
        FORBIDDEN,
        /** At least one rule in reject mode was violated: 422. */
        REJECTED

    }

}
