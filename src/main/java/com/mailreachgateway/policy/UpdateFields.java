package com.mailreachgateway.policy;

import java.util.Map;
import java.util.Set;

/**
 * The MailReach account-update fields the policy knows, with the ranges MailReach documents
 * for the integer ones.
 */
final class UpdateFields {

    static final String RAMPUP_TARGET = "config_rampup_target";

    static final String RAMPUP_INCREASE = "config_rampup_increase";

    static final String MAX_CONVERSATIONS = "config_max_conversation_running";

    static final String SIGNATURE = "signature";

    /** The thirteen fields MailReach's update accepts. */
    static final Set<String> ALL = Set.of("alias", "alive", "autopilot", MAX_CONVERSATIONS, RAMPUP_INCREASE,
            RAMPUP_TARGET, "config_smtp_append_after_sent", "desc", "first_name", "imap_issue", "last_name",
            SIGNATURE, "time_zone");

    private static final Map<String, int[]> RANGES = Map.of(RAMPUP_TARGET, new int[] { 3, 35 }, RAMPUP_INCREASE,
            new int[] { 0, 5 }, MAX_CONVERSATIONS, new int[] { 0, 35 });

    private UpdateFields() {
    }

    static int min(String field) {
        return RANGES.get(field)[0];
    }

    static int max(String field) {
        return RANGES.get(field)[1];
    }

}
