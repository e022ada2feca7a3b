package com.mailreachgateway.policy;

import java.time.Instant;
import java.util.List;

/**
 * What the policy knows of an account, read from the state MailReach last returned. Any
 * component is {@code null} when MailReach did not say.
 *
 * @param tagNames names of the tags linked to the account
 * @param score the account's reputation score
 * @param domainCreationDate when the account's domain was registered
 * @param rampupTarget the current {@code config_rampup_target}
 * @param rampupIncrease the current {@code config_rampup_increase}
 * @param maxConversations the current {@code config_max_conversation_running}
 */
public record AccountFacts(List<String> tagNames, Double score, Instant domainCreationDate, Integer rampupTarget,
        Integer rampupIncrease, Integer maxConversations) {

    public AccountFacts {
        tagNames = (tagNames != null) ? List.copyOf(tagNames) : List.of();
    }

}
