package com.mailreachgateway.policy;

import java.util.Map;
import java.util.Set;

/**
 * MailReach's account-update fields and the ranges it documents for the integer ones: the one home
 * of those names and ranges, read by the parser, the policy, the caller checks and the sandbox.
 */
public final class UpdateFields {

    public static final String RAMPUP_TARGET = "config_rampup_target";

    public static final String RAMPUP_INCREASE = "config_rampup_increase";

    public static final String MAX_CONVERSATIONS = "config_max_conversation_running";

    static final String SIGNATURE = "signature";

    /** The thirteen fields MailReach's update accepts. */
    public static final Set<String> ALL = Set.of("alias", "alive", "autopilot", MAX_CONVERSATIONS, RAMPUP_INCREASE,
            RAMPUP_TARGET, "config_smtp_append_after_sent", "desc", "first_name", "imap_issue", "last_name",
            SIGNATURE, "time_zone");

    private static final Map<String, int[]> RANGES = Map.of(RAMPUP_TARGET, new int[] { 3, 35 }, RAMPUP_INCREASE,
            new int[] { 0, 5 }, MAX_CONVERSATIONS, new int[] { 0, 35 });

    private UpdateFields() {
    }

    /** The integer fields, the ones with a range. */
    public static Set<String> ranged() {
        return RANGES.keySet();
    }

    /** The smallest value of an integer field. */
    public static int min(String field) {
        return RANGES.get(field)[0];
    }

    /** The largest value of an integer field. */
    public static int max(String field) {
        return RANGES.get(field)[1];
    }

}
