package com.mailreachgateway.policy;

import java.util.List;

/**
 * Thrown when a policy cannot be used: each problem names the rule, the key and the value.
 */
public class InvalidPolicyException extends RuntimeException {

    private final List<String> problems;

    public InvalidPolicyException(String source, List<String> problems) {
        super("Invalid warming policy (" + source + "): " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, e.g. {@code rule tier-cap: gateway.policy.tiers.basic.max-rampup-target = 2: ...}. */
    public List<String> problems() {
        return this.problems;
    }

}
