package com.mailreachgateway.account;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import com.mailreachgateway.policy.Decision;
import com.mailreachgateway.policy.UpdateFields;
import com.mailreachgateway.system.RequestIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Writes one audit line per update to the {@code audit} logger: who, which account, what was
 * sent and forwarded (signature text redacted), what the policy changed, how it ended, and how
 * long it took. With structured logging the same facts come out as key-value pairs.
 */
@Component
class UpdateAudit {

    private static final Logger audit = LoggerFactory.getLogger("audit");

    /**
     * Writes the line of one update.
     *
     * @param accountId the account, {@code null} when the id itself was invalid ({@code account=-})
     * @param decision the policy's decision, {@code null} when none was made
     * @param latency from the update's arrival to its end, waits included
     */
    void update(String requestId, String caller, Integer accountId, Map<String, Object> sent, Decision decision,
            String outcome, int status, Duration latency) {
        Map<String, Object> redactedSent = redact(sent);
        // Most updates go as sent: the line says so rather than print the same fields twice.
        String forwarded = "{}";
        if (decision != null && decision.verdict() == Decision.Verdict.FORWARD) {
            forwarded = decision.forward().equals(sent) ? "as-sent" : redact(decision.forward()).toString();
        }
        String adjusted = (decision != null) ? PolicyHeaders.adjusted(decision) : "";
        String violations = (decision != null) ? decision.violations()
            .stream()
            .map((v) -> v.rule() + ":" + v.field())
            .collect(Collectors.joining(",")) : "";
        try (RequestIds.MdcScope scope = RequestIds.inMdc(requestId)) {
            audit.atInfo()
            .addKeyValue("caller", caller)
            .addKeyValue("account_id", accountId)
            .addKeyValue("outcome", outcome)
            .addKeyValue("status", status)
            .addKeyValue("latency_ms", latency.toMillis())
            .log("update caller={} account={} outcome={} status={} latency_ms={} tier={} policy={} sent={} forwarded={} adjusted=[{}] violations=[{}]",
                    caller, (accountId != null) ? accountId : "-", outcome, status, latency.toMillis(),
                    (decision != null) ? decision.tier() : "-", (decision != null) ? decision.policyVersion() : "-",
                    redactedSent, forwarded, adjusted, violations);
        }
    }

    /** Signature HTML can be long and personal: the audit keeps only its length. */
    static Map<String, Object> redact(Map<String, Object> fields) {
        Map<String, Object> out = new LinkedHashMap<>(fields);
        out.computeIfPresent(UpdateFields.SIGNATURE, (key, value) -> "<redacted " + value.toString().length() + " chars>");
        return out;
    }

}
