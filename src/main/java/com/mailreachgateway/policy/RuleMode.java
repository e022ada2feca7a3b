package com.mailreachgateway.policy;

import java.util.Locale;

/**
 * How a rule treats a value beyond its limit.
 */
public enum RuleMode {

    /** Forward the value at the limit and explain the adjustment. */
    CLAMP,
    /** Refuse the whole update (422), listing every violated rule and its limit. */
    REJECT,
    /** Do not evaluate the rule at all. */
    OFF;

    /** The mode as written in the policy file, e.g. {@code clamp}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

}
