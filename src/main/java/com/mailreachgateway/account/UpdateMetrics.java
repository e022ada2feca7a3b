package com.mailreachgateway.account;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import com.mailreachgateway.policy.Decision;
import com.mailreachgateway.policy.RuleDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * The account API's counters: updates by caller and outcome, reads by cache result, policy decisions
 * and adjustments. Each series is registered once and kept, not looked up by a builder per request;
 * none is tagged by account id.
 */
@Component
class UpdateMetrics {

    private final MeterRegistry registry;

    private final ConcurrentMap<List<String>, Counter> counters = new ConcurrentHashMap<>();

    UpdateMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void update(String caller, String outcome) {
        counter("gateway.updates", "Account updates, by caller and outcome", "caller", caller, "outcome", outcome)
            .increment();
    }

    void read(String result) {
        counter("gateway.account.reads", "Account reads, by cache result", "result", result).increment();
    }

    void decisions(Decision decision) {
        String tier = String.valueOf(decision.tier());
        for (RuleDecision rule : decision.rules()) {
            counter("gateway.policy.decisions", "Policy rule decisions on forwarded or refused updates", "rule",
                    rule.rule(), "action", rule.action().tag(), "tier", tier)
                .increment();
        }
        for (RuleDecision change : decision.adjustments()) {
            counter("gateway.policy.adjustments", "Fields the policy changed before forwarding", "field",
                    String.valueOf(change.field()), "rule", change.rule(), "tier", tier)
                .increment();
        }
    }

    private Counter counter(String name, String description, String... tags) {
        List<String> key = new java.util.ArrayList<>(tags.length + 1);
        key.add(name);
        key.addAll(List.of(tags));
        return this.counters.computeIfAbsent(key,
                (ignored) -> Counter.builder(name).description(description).tags(tags).register(this.registry));
    }

}
