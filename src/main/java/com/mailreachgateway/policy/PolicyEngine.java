package com.mailreachgateway.policy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Decides what becomes of an update under the active policy: which tier applies, which fields
 * the caller may change, and which values are clamped, cleaned or refused.
 * <p>
 * Order: {@code field-rights} first (any FORBID makes the verdict FORBIDDEN and stops there);
 * then every cap rule on each sent integer field ({@code tier-cap}, {@code young-domain},
 * {@code low-reputation}), the forwarded value being the lowest cap of the rules in {@code clamp}
 * mode, each such rule listed, while a rule in {@code reject} mode refuses a value still above
 * its cap after those clamps; then the checks on the values about to be forwarded
 * ({@code signature-hygiene}, {@code consistency}). Any REJECT makes the verdict REJECTED with
 * nothing to forward. Thread-safe: a decision reads one immutable {@link PolicySnapshot}, and a
 * reload swaps the snapshot atomically.
 */
public class PolicyEngine {

    private final AtomicReference<PolicySnapshot> active;

    private final Clock clock;

    private volatile Map<String, String> callerTiers = Map.of();

    public PolicyEngine(PolicySnapshot initial, Clock clock) {
        this.active = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The policy decisions are made with now. */
    public PolicySnapshot active() {
        return this.active.get();
    }

    /** Content hash of the active policy. */
    public String version() {
        return active().version();
    }

    /**
     * Whether deciding this update needs the account's current state: true only when a rule that
     * is not off and depends on state governs a sent field (and field rights do not already refuse
     * the update). A tier tag alone never requires a read: pass cached facts when there are some.
     */
    public boolean needsAccount(PolicyRequest request) {
        PolicySnapshot snapshot = active();
        if (!snapshot.fieldRights().allows(request)) {
            return false;
        }
        Set<String> sent = request.fields().keySet();
        return snapshot.rules().stream().anyMatch((rule) -> rule.needsAccount(sent));
    }

    /**
     * Decides one update; pure apart from reading the clock.
     * @param request the caller and the validated fields
     * @param account what is known of the account, or {@code null} when nothing is; a rule that
     * needs a fact it does not get lets the value pass and says so in its reason
     * @return the decision, with one {@link RuleDecision} per rule and governed sent field
     */
    public Decision decide(PolicyRequest request, AccountFacts account) {
        PolicySnapshot snapshot = active();
        PolicySnapshot.ResolvedTier tier = snapshot.resolveTier(request.callerName(), request.callerTier(), account);
        Evaluation evaluation = new Evaluation(request, account, tier.name(), this.clock.instant());
        snapshot.fieldRights().check(evaluation);
        if (evaluation.any(RuleDecision.Action.FORBID)) {
            return new Decision(tier.name(), tier.source(), Decision.Verdict.FORBIDDEN, Map.of(),
                    evaluation.decisions, snapshot.version());
        }
        applyLimits(snapshot, evaluation);
        snapshot.rules().forEach((rule) -> rule.check(evaluation));
        boolean rejected = evaluation.any(RuleDecision.Action.REJECT);
        return new Decision(tier.name(), tier.source(), rejected ? Decision.Verdict.REJECTED : Decision.Verdict.FORWARD,
                rejected ? Map.of() : evaluation.forward, evaluation.decisions, snapshot.version());
    }

    /** Applies every rule's cap to each sent integer field: the lowest clamp wins, each cap is explained. */
    private void applyLimits(PolicySnapshot snapshot, Evaluation evaluation) {
        Map<String, List<RuledLimit>> byField = new LinkedHashMap<>();
        for (Rule rule : snapshot.rules()) {
            for (Rule.Limit limit : rule.limits(evaluation)) {
                byField.computeIfAbsent(limit.field(), (field) -> new ArrayList<>()).add(new RuledLimit(rule, limit));
            }
        }
        for (String field : evaluation.request.fields().keySet()) {
            List<RuledLimit> limits = byField.get(field);
            if (limits == null || !(evaluation.request.fields().get(field) instanceof Integer requested)) {
                continue;
            }
            int forwarded = requested;
            for (RuledLimit ruled : limits) {
                if (ruled.rule.mode() == RuleMode.CLAMP && ruled.limit.max() != null) {
                    forwarded = Math.min(forwarded, ruled.limit.max());
                }
            }
            evaluation.forward.put(field, forwarded);
            for (RuledLimit ruled : limits) {
                evaluation.add(ruled.decide(field, requested, forwarded));
            }
        }
    }

    /**
     * Checks that every caller's tier exists in the active policy, and remembers the mapping so
     * that a reload whose policy drops one of these tiers is refused. Call it at startup and
     * whenever the callers' configuration changes.
     * @param callerToTier tier name by caller name (callers without a tier may be left out or map
     * to {@code null})
     * @throws InvalidPolicyException naming each caller whose tier the policy does not define
     */
    public void validateCallerTiers(Map<String, String> callerToTier) {
        Map<String, String> copy = new LinkedHashMap<>();
        callerToTier.forEach((caller, tier) -> {
            if (tier != null) {
                copy.put(caller, tier);
            }
        });
        PolicySnapshot snapshot = active();
        List<String> problems = unknownCallerTiers(snapshot, copy);
        if (!problems.isEmpty()) {
            throw new InvalidPolicyException(snapshot.source(), problems);
        }
        this.callerTiers = Map.copyOf(copy);
    }

    /**
     * Makes a newly loaded policy the active one, unless it lacks a tier a caller uses.
     * @throws InvalidPolicyException naming each caller whose tier the new policy does not define
     */
    void activate(PolicySnapshot next) {
        List<String> problems = unknownCallerTiers(next, this.callerTiers);
        if (!problems.isEmpty()) {
            throw new InvalidPolicyException(next.source(), problems);
        }
        this.active.set(next);
    }

    private static List<String> unknownCallerTiers(PolicySnapshot snapshot, Map<String, String> callerToTier) {
        List<String> problems = new ArrayList<>();
        callerToTier.forEach((caller, tier) -> {
            if (!snapshot.hasTier(tier)) {
                problems.add(PolicyValidator.format(TierCapRule.NAME, "caller " + caller + " tier", tier,
                        "not a tier of the policy (tiers: " + String.join(", ",
                                new TreeSet<>(snapshot.policy().tiers().keySet())) + ")"));
            }
        });
        return problems;
    }

    /** A rule's limit on one field, together with the rule. */
    private record RuledLimit(Rule rule, Rule.Limit limit) {

        /**
         * A clamp rule clamps when the requested value is above its cap; a reject rule rejects when
         * the value left after every clamp is still above its cap.
         */
        RuleDecision decide(String field, int requested, int forwarded) {
            Integer max = this.limit.max();
            String limitText = (max != null) ? String.valueOf(max) : "none";
            RuleDecision.Action action = RuleDecision.Action.PASS;
            if (max != null && this.rule.mode() == RuleMode.CLAMP && requested > max) {
                action = RuleDecision.Action.CLAMP;
            }
            else if (max != null && this.rule.mode() == RuleMode.REJECT && forwarded > max) {
                action = RuleDecision.Action.REJECT;
            }
            return new RuleDecision(this.rule.name(), action, field, requested,
                    (action != RuleDecision.Action.REJECT) ? forwarded : null, limitText, this.limit.reason());
        }

    }

}
