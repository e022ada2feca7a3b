package com.mailreachgateway.policy;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The warming policy, under {@code gateway.policy}.
 *
 * @param defaultTier the tier used when neither the account nor the caller names one
 * @param tiers caps per tier name
 */
@ConfigurationProperties("gateway.policy")
public record PolicyProperties(String defaultTier, Map<String, TierLimits> tiers) {

    public PolicyProperties {
        tiers = (tiers != null) ? Map.copyOf(tiers) : Map.of();
    }

    /**
     * Maxima that one tier allows.
     *
     * @param maxRampupTarget highest {@code config_rampup_target}
     * @param maxRampupIncrease highest {@code config_rampup_increase}
     * @param maxConversations highest {@code config_max_conversation_running}
     */
    public record TierLimits(Integer maxRampupTarget, Integer maxRampupIncrease, Integer maxConversations) {
    }

}
