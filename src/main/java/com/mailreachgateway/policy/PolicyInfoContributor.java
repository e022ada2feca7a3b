package com.mailreachgateway.policy;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * Adds the active policy to {@code /actuator/info}: version, when and where it was loaded, modes
 * and tiers.
 */
class PolicyInfoContributor implements InfoContributor {

    private final PolicyEngine engine;

    PolicyInfoContributor(PolicyEngine engine) {
        this.engine = engine;
    }

    @Override
    public void contribute(Info.Builder builder) {
        PolicySnapshot snapshot = this.engine.active();
        PolicyProperties policy = snapshot.policy();
        Map<String, Object> tiers = new LinkedHashMap<>();
        policy.tiers().forEach((name, limits) -> {
            Map<String, Object> caps = new LinkedHashMap<>();
            if (limits != null) {
                caps.put("maxRampupTarget", limits.maxRampupTarget());
                caps.put("maxRampupIncrease", limits.maxRampupIncrease());
                caps.put("maxConversations", limits.maxConversations());
            }
            tiers.put(name, caps);
        });
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("version", snapshot.version());
        details.put("loadedAt", snapshot.loadedAt().toString());
        details.put("source", snapshot.source());
        details.put("defaultMode", policy.defaultMode().key());
        details.put("defaultTier", policy.defaultTier());
        details.put("tierTagPrefix", policy.tierTagPrefix());
        details.put("tiers", tiers);
        details.put("rules", snapshot.ruleModes());
        builder.withDetail("policy", details);
    }

}
