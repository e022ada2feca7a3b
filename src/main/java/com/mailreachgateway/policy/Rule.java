package com.mailreachgateway.policy;

import java.util.List;
import java.util.Set;

/**
 * One warming rule: caps it puts on integer fields, and checks it makes on the values about to
 * be forwarded once every cap applied.
 */
interface Rule {

    /** Stable kebab-case name, used as a metric tag and in explanations. */
    String name();

    RuleMode mode();

    /** Whether deciding on these sent fields needs the account's current state. */
    default boolean needsAccount(Set<String> sentFields) {
        return false;
    }

    /**
     * The rule's limit on each sent integer field it governs: a {@link Limit} with a
     * {@code null} maximum when the rule governs the field but does not restrict this update.
     */
    default List<Limit> limits(Evaluation evaluation) {
        return List.of();
    }

    /** Checks the values about to be forwarded, adding its decisions to the evaluation. */
    default void check(Evaluation evaluation) {
    }

    /**
     * One rule's limit on one field.
     *
     * @param field the MailReach field
     * @param max the highest value the rule allows, or {@code null} when it allows any
     * @param reason why, in one sentence a caller can read
     */
    record Limit(String field, Integer max, String reason) {
    }

}
