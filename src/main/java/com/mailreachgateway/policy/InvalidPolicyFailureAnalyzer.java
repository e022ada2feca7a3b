package com.mailreachgateway.policy;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an invalid policy at start-up into Boot's short "APPLICATION FAILED TO START" report,
 * naming every rule, key and value that is wrong, instead of a long stack trace.
 */
class InvalidPolicyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidPolicyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidPolicyException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix the warming policy (gateway.policy, or the file named by gateway.policy-file) and start again; "
                        + "the README's \"Warming policy\" section describes every key.",
                cause);
    }

}
