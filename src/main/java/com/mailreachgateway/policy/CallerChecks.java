package com.mailreachgateway.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mailreachgateway.caller.Caller;
import com.mailreachgateway.caller.CallerAuthenticator;

import org.springframework.stereotype.Component;

/**
 * Refuses to start with a caller configuration that cannot work: a tier the policy does not
 * define, or an allowed field that is not an update field (a typo there would silently forbid
 * the field). The policy also remembers the callers' tiers, so a reload that drops one is refused.
 */
@Component
class CallerChecks {

    CallerChecks(CallerAuthenticator callers, PolicyEngine policy) {
        Map<String, String> tiers = new LinkedHashMap<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Caller caller : callers.callers()) {
            // One entry per key: a caller listed twice while its key rotates has both tiers checked.
            int occurrence = seen.merge(caller.name(), 1, Integer::sum);
            String entry = (occurrence == 1) ? caller.name() : caller.name() + " (entry " + occurrence + ")";
            if (caller.tier() != null) {
                tiers.put(entry, caller.tier());
            }
            if (caller.allowedFields() != null) {
                caller.allowedFields()
                    .stream()
                    .filter((field) -> !UpdateFields.ALL.contains(field))
                    .sorted()
                    .forEach((field) -> problems.add("gateway.callers[" + caller.name() + "].allowed-fields: '" + field
                            + "' is not an update field"));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid caller configuration: " + String.join("; ", problems));
        }
        policy.validateCallerTiers(tiers);
    }

}
