package com.mailreachgateway.policy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.mailreachgateway.system.Sha256;

/**
 * One validated, immutable policy as it was loaded: what {@link PolicyEngine} decides with until
 * the next reload swaps in another.
 */
public final class PolicySnapshot {

    private final String version;

    private final Instant loadedAt;

    private final String source;

    private final PolicyProperties policy;

    private final String contentDigest;

    private final FieldRightsRule fieldRights;

    private final List<Rule> rules;

    private final Map<String, RuleMode> modes;

    private PolicySnapshot(PolicyProperties policy, String source, Instant loadedAt, String contentDigest) {
        this.policy = policy;
        this.source = source;
        this.loadedAt = loadedAt;
        this.contentDigest = contentDigest;
        this.version = sha256(policy.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        PolicyProperties.Rules settings = policy.rules();
        this.modes = modes(policy);
        this.fieldRights = new FieldRightsRule((settings.fieldRights() != null)
                ? Set.copyOf(settings.fieldRights().protectedFields()) : Set.of());
        List<Rule> rules = new ArrayList<>();
        rules.add(new TierCapRule(this.modes.get(TierCapRule.NAME), policy.tiers()));
        if (settings.youngDomain() != null) {
            rules.add(YoungDomainRule.of(this.modes.get(YoungDomainRule.NAME), settings.youngDomain()));
        }
        if (settings.lowReputation() != null && settings.lowReputation().minScore() != null) {
            rules.add(new LowReputationRule(this.modes.get(LowReputationRule.NAME),
                    settings.lowReputation().minScore()));
        }
        rules.add(new SignatureHygieneRule(this.modes.get(SignatureHygieneRule.NAME)));
        rules.add(new ConsistencyRule(this.modes.get(ConsistencyRule.NAME),
                settings.consistency() != null && settings.consistency().maxConversationsWithinTarget()));
        this.rules = rules.stream().filter((rule) -> rule.mode() != RuleMode.OFF).toList();
    }

    /**
     * Validates a bound policy and builds its snapshot.
     * @param policy the bound policy
     * @param source where it came from, e.g. {@code file:/etc/gateway/policy.yaml}
     * @param loadedAt when it was read
     * @param contentDigest SHA-256 of the file's bytes, or {@code null} for an inline policy
     * @return the snapshot
     * @throws InvalidPolicyException listing every problem found
     */
    public static PolicySnapshot of(PolicyProperties policy, String source, Instant loadedAt, String contentDigest) {
        List<String> problems = PolicyValidator.problems(policy);
        if (!problems.isEmpty()) {
            throw new InvalidPolicyException(source, problems);
        }
        return new PolicySnapshot(policy, source, loadedAt, contentDigest);
    }

    /** Content hash of the policy (12 hex digits of a SHA-256 of its bound form, so comments do not count). */
    public String version() {
        return this.version;
    }

    public Instant loadedAt() {
        return this.loadedAt;
    }

    /** Where the policy came from: {@code file:<path>} or {@code inline:gateway.policy}. */
    public String source() {
        return this.source;
    }

    /** The policy as configured. */
    public PolicyProperties policy() {
        return this.policy;
    }

    /** The mode each rule runs in, by rule name, in evaluation order ({@code field-rights} is always on). */
    public Map<String, String> ruleModes() {
        Map<String, String> modes = new LinkedHashMap<>();
        modes.put(FieldRightsRule.NAME, "on");
        this.modes.forEach((rule, mode) -> modes.put(rule, mode.key()));
        return modes;
    }

    String contentDigest() {
        return this.contentDigest;
    }

    FieldRightsRule fieldRights() {
        return this.fieldRights;
    }

    /** The rules that are not off, in evaluation order. */
    List<Rule> rules() {
        return this.rules;
    }

    boolean hasTier(String name) {
        return this.policy.tiers().containsKey(name);
    }

    /**
     * The tier for an update: a tag {@code <prefix><tier>} on the account, else the caller's tier,
     * else {@code default-tier}. Tags are data from MailReach, not configuration, so a tag naming
     * a tier this policy does not define is ignored (the next tag, then the caller's tier, apply)
     * rather than failing the update; the first tag naming a known tier wins. Prefix and tier name
     * are matched ignoring case.
     * @throws IllegalStateException when the caller's tier is unknown (see
     * {@link PolicyEngine#validateCallerTiers})
     */
    ResolvedTier resolveTier(String callerName, String callerTier, AccountFacts account) {
        String prefix = this.policy.tierTagPrefix();
        if (account != null) {
            for (String tag : account.tagNames()) {
                if (tag != null && tag.regionMatches(true, 0, prefix, 0, prefix.length())) {
                    String name = tag.substring(prefix.length()).strip().toLowerCase(Locale.ROOT);
                    if (hasTier(name)) {
                        return new ResolvedTier(name, "tag");
                    }
                }
            }
        }
        if (callerTier != null) {
            if (!hasTier(callerTier)) {
                throw new IllegalStateException("Caller '" + callerName + "' has tier '" + callerTier
                        + "', which policy " + this.version + " does not define");
            }
            return new ResolvedTier(callerTier, "caller");
        }
        return new ResolvedTier(this.policy.defaultTier(), "default");
    }

    /** Each rule's mode: its own, else {@code default-mode}; a threshold rule without a section is off. */
    private static Map<String, RuleMode> modes(PolicyProperties policy) {
        PolicyProperties.Rules settings = policy.rules();
        RuleMode defaultMode = policy.defaultMode();
        Map<String, RuleMode> modes = new LinkedHashMap<>();
        modes.put(TierCapRule.NAME, mode((settings.tierCap() != null) ? settings.tierCap().mode() : null, defaultMode));
        modes.put(YoungDomainRule.NAME,
                (settings.youngDomain() != null) ? mode(settings.youngDomain().mode(), defaultMode) : RuleMode.OFF);
        modes.put(LowReputationRule.NAME, (settings.lowReputation() != null)
                ? mode(settings.lowReputation().mode(), defaultMode) : RuleMode.OFF);
        modes.put(SignatureHygieneRule.NAME, mode(
                (settings.signatureHygiene() != null) ? settings.signatureHygiene().mode() : null, defaultMode));
        modes.put(ConsistencyRule.NAME,
                mode((settings.consistency() != null) ? settings.consistency().mode() : null, defaultMode));
        return Collections.unmodifiableMap(modes);
    }

    private static RuleMode mode(RuleMode mode, RuleMode defaultMode) {
        return PolicyValidator.mode(mode, defaultMode);
    }

    static String sha256(byte[] content) {
        return Sha256.hex(content);
    }

    /**
     * The tier that applies to an update.
     *
     * @param name the tier's name
     * @param source {@code tag}, {@code caller} or {@code default}
     */
    record ResolvedTier(String name, String source) {
    }

}
