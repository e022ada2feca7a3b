package com.mailreachgateway.account;

import java.util.stream.Collectors;

import com.mailreachgateway.policy.Decision;
import com.mailreachgateway.policy.RuleDecision;

/** The policy's explanation of an update as response headers (also written, the same, in the audit line). */
final class PolicyHeaders {

    static final String TIER = "X-Policy-Tier";

    static final String ADJUSTED = "X-Policy-Adjusted";

    static final String VERSION = "X-Policy-Version";

    private PolicyHeaders() {
    }

    /** {@code field=requested->forwarded;rule=NAME}, comma separated, one per change. */
    static String adjusted(Decision decision) {
        return decision.adjustments().stream().map(PolicyHeaders::describe).collect(Collectors.joining(", "));
    }

    private static String describe(RuleDecision change) {
        String values = (change.requested() instanceof String || change.forwarded() instanceof String) ? "sanitized"
                : change.requested() + "->" + change.forwarded();
        return change.field() + "=" + values + ";rule=" + change.rule();
    }

}
