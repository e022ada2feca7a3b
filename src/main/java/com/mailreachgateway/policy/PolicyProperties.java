package com.mailreachgateway.policy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;

/**
 * The warming policy, under {@code gateway.policy} (inline, or in the file named by
 * {@code gateway.policy-file}). Bound by {@link PolicyLoader}, validated by {@link PolicySnapshot}.
 *
 * @param defaultMode the mode of every rule that does not set its own: {@code clamp}, {@code reject}
 * or {@code off}
 * @param defaultTier the tier used when neither an account tag nor the caller names one; must be one
 * of {@code tiers}
 * @param tierTagPrefix prefix of the MailReach tag that puts an account in a tier, e.g. {@code tier:}
 * for a tag {@code tier:premium}
 * @param tiers caps per tier name (lower case letters, digits, {@code -} and {@code _})
 * @param rules settings of each rule
 */
@ConfigurationProperties("gateway.policy")
public record PolicyProperties(@DefaultValue("clamp") RuleMode defaultMode, String defaultTier,
        @DefaultValue("tier:") String tierTagPrefix, Map<String, TierLimits> tiers, @DefaultValue Rules rules) {

    public PolicyProperties {
        defaultMode = (defaultMode != null) ? defaultMode : RuleMode.CLAMP;
        tierTagPrefix = (tierTagPrefix != null) ? tierTagPrefix : "tier:";
        rules = (rules != null) ? rules : new Rules(null, null, null, null, null, null);
        // sorted, so that toString() (and so the policy version) does not depend on hash order
        tiers = (tiers != null) ? Collections.unmodifiableMap(new TreeMap<>(tiers)) : Map.of();
    }

    /**
     * Maxima that one tier allows; a missing key means no cap on that field. Each cap lies within
     * the field's range in MailReach's contract ({@link UpdateFields}).
     *
     * @param maxRampupTarget highest {@code config_rampup_target}
     * @param maxRampupIncrease highest {@code config_rampup_increase}
     * @param maxConversations highest {@code config_max_conversation_running}
     */
    public record TierLimits(Integer maxRampupTarget, Integer maxRampupIncrease, Integer maxConversations) {
    }

    /**
     * Settings of each rule; a rule without a section uses {@code default-mode}, except
     * {@code young-domain} and {@code low-reputation}, which are off until their threshold is set.
     *
     * @param tierCap the tier's maxima
     * @param youngDomain tighter caps for accounts whose domain was registered recently
     * @param lowReputation no raising of the ramp-up while the score is low
     * @param fieldRights fields no caller may change unless its {@code allowed-fields} lists them
     * @param signatureHygiene HTML sanitising of {@code signature}
     * @param consistency combinations of values that cannot make sense
     */
    public record Rules(TierCap tierCap, YoungDomain youngDomain, LowReputation lowReputation,
            FieldRights fieldRights, SignatureHygiene signatureHygiene, Consistency consistency) {
    }

    /**
     * Settings of the {@code tier-cap} rule.
     *
     * @param mode {@code clamp}, {@code reject} or {@code off}; {@code default-mode} when absent
     */
    public record TierCap(RuleMode mode) {
    }

    /**
     * Settings of the {@code young-domain} rule: an account whose domain is younger than
     * {@code min-age} gets these caps on top of its tier's.
     *
     * @param mode {@code clamp}, {@code reject} or {@code off}; {@code default-mode} when absent
     * @param minAge domains younger than this are young, e.g. {@code 90d} (a bare number means days)
     * @param maxRampupTarget highest {@code config_rampup_target} for a young domain
     * @param maxRampupIncrease highest {@code config_rampup_increase} for a young domain
     * @param maxConversations highest {@code config_max_conversation_running} for a young domain
     */
    public record YoungDomain(RuleMode mode, @DurationUnit(ChronoUnit.DAYS) Duration minAge,
            Integer maxRampupTarget, Integer maxRampupIncrease, Integer maxConversations) {
    }

    /**
     * Settings of the {@code low-reputation} rule: while the account's score is below
     * {@code min-score}, {@code config_rampup_target} and {@code config_rampup_increase} may be
     * lowered but not raised above their current values.
     *
     * @param mode {@code clamp}, {@code reject} or {@code off}; {@code default-mode} when absent
     * @param minScore scores below this (0 to 100) count as low
     */
    public record LowReputation(RuleMode mode, Double minScore) {
    }

    /**
     * Settings of the {@code field-rights} rule, which is always on: a caller's own
     * {@code allowed-fields} come from its caller configuration.
     *
     * @param protectedFields MailReach field names no caller may change unless its
     * {@code allowed-fields} lists them explicitly
     */
    public record FieldRights(List<String> protectedFields) {

        public FieldRights {
            protectedFields = (protectedFields != null) ? List.copyOf(protectedFields) : List.of();
        }

    }

    /**
     * Settings of the {@code signature-hygiene} rule.
     *
     * @param mode {@code clamp} forwards the cleaned HTML, {@code reject} refuses HTML that cleaning
     * would change, {@code off} forwards it as sent; {@code default-mode} when absent
     */
    public record SignatureHygiene(RuleMode mode) {
    }

    /**
     * Settings of the {@code consistency} rule; {@code clamp} behaves as {@code reject} here, since
     * there is no single right value to clamp to.
     *
     * @param mode {@code clamp}, {@code reject} or {@code off}; {@code default-mode} when absent
     * @param maxConversationsWithinTarget also refuse {@code config_max_conversation_running} above
     * {@code config_rampup_target} (off by default: conversations last several days, so more may
     * run in parallel than start in one day)
     */
    public record Consistency(RuleMode mode, @DefaultValue("false") boolean maxConversationsWithinTarget) {
    }

}
