package com.mailreachgateway.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The working state of one decision: the request, what is known of the account, the values about
 * to be forwarded and the rules' decisions so far.
 */
final class Evaluation {

    final PolicyRequest request;

    /** The account's state, or {@code null} when unknown. */
    final AccountFacts account;

    final String tier;

    final Instant now;

    /** The values about to be forwarded, in request order; rules may lower or clean them. */
    final Map<String, Object> forward;

    final List<RuleDecision> decisions = new ArrayList<>();

    Evaluation(PolicyRequest request, AccountFacts account, String tier, Instant now) {
        this.request = request;
        this.account = account;
        this.tier = tier;
        this.now = now;
        this.forward = new LinkedHashMap<>(request.fields());
    }

    boolean sent(String field) {
        return this.request.fields().containsKey(field);
    }

    /** The account's current value of an integer field, or {@code null} when unknown. */
    Integer current(String field) {
        return (this.account != null) ? this.account.current(field) : null;
    }

    void add(RuleDecision decision) {
        this.decisions.add(decision);
    }

    boolean any(RuleDecision.Action action) {
        return this.decisions.stream().anyMatch((d) -> d.action() == action);
    }

}
