package com.mailreachgateway.policy;

import java.time.Instant;
import java.util.List;

/**
 * What the policy knows of an account, read from the state MailReach last returned. Any
 * component is {@code null} when MailReach did not say.
 *
 * @param tagNames names of the tags linked to the account
 * @param score the account's reputation score
 * @param domainCreationDate when the account's domain was registered ({@code domain.creation_date})
 * @param rampupTarget the current {@code config_rampup_target}
 * @param rampupIncrease the current {@code config_rampup_increase}
 * @param maxConversations the current {@code config_max_conversation_running}
 * @param domainName the account's domain ({@code domain.domain}), used in explanations only
 */
public record AccountFacts(List<String> tagNames, Double score, Instant domainCreationDate, Integer rampupTarget,
        Integer rampupIncrease, Integer maxConversations, String domainName) {

    public AccountFacts {
        tagNames = (tagNames != null) ? List.copyOf(tagNames) : List.of();
    }

    /** Facts without the domain's name. */
    public AccountFacts(List<String> tagNames, Double score, Instant domainCreationDate, Integer rampupTarget,
            Integer rampupIncrease, Integer maxConversations) {
        this(tagNames, score, domainCreationDate, rampupTarget, rampupIncrease, maxConversations, null);
    }

    /** The current value of one of the three integer ramp-up fields, or {@code null}. */
    Integer current(String field) {
        return switch (field) {
            case UpdateFields.RAMPUP_TARGET -> this.rampupTarget;
            case UpdateFields.RAMPUP_INCREASE -> this.rampupIncrease;
            case UpdateFields.MAX_CONVERSATIONS -> this.maxConversations;
            default -> null;
        };
    }

}
