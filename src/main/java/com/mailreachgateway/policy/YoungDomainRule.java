package com.mailreachgateway.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tighter caps while the account's domain is younger than a minimum age; a domain whose creation
 * date is unknown is not treated as young.
 */
record YoungDomainRule(RuleMode mode, Duration minAge, Map<String, Integer> caps) implements Rule {

    static final String NAME = "young-domain";

    /** The rule as configured. */
    static YoungDomainRule of(RuleMode mode, PolicyProperties.YoungDomain settings) {
        Map<String, Integer> caps = new LinkedHashMap<>();
        if (settings.maxRampupTarget() != null) {
            caps.put(UpdateFields.RAMPUP_TARGET, settings.maxRampupTarget());
        }
        if (settings.maxRampupIncrease() != null) {
            caps.put(UpdateFields.RAMPUP_INCREASE, settings.maxRampupIncrease());
        }
        if (settings.maxConversations() != null) {
            caps.put(UpdateFields.MAX_CONVERSATIONS, settings.maxConversations());
        }
        return new YoungDomainRule(mode, settings.minAge(), caps);
    }

    YoungDomainRule {
        caps = Map.copyOf(caps);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean needsAccount(Set<String> sentFields) {
        return this.caps.keySet().stream().anyMatch(sentFields::contains);
    }

    @Override
    public List<Limit> limits(Evaluation evaluation) {
        List<Limit> limits = new ArrayList<>();
        Instant created = (evaluation.account != null) ? evaluation.account.domainCreationDate() : null;
        String domain = (evaluation.account != null && evaluation.account.domainName() != null)
                ? "domain " + evaluation.account.domainName() : "the account's domain";
        for (String field : evaluation.request.fields().keySet()) {
            Integer cap = this.caps.get(field);
            if (cap == null) {
                continue;
            }
            if (created == null) {
                limits.add(new Limit(field, null, "creation date of " + domain + " unknown: no young-domain cap"));
                continue;
            }
            Duration age = Duration.between(created, evaluation.now);
            String ageText = domain + " is " + age.toDays() + " days old";
            if (age.compareTo(this.minAge) < 0) {
                limits.add(new Limit(field, cap,
                        ageText + " (< " + days(this.minAge) + "): " + field + " up to " + cap));
            }
            else {
                limits.add(new Limit(field, null, ageText + " (>= " + days(this.minAge) + "): no young-domain cap"));
            }
        }
        return limits;
    }

    private static String days(Duration duration) {
        return (duration.toSeconds() % 86_400 == 0) ? String.valueOf(duration.toDays()) : duration.toString();
    }

}
