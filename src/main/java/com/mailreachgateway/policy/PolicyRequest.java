package com.mailreachgateway.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the policy sees of one update: who asks, and the validated fields they sent.
 *
 * @param callerName the authenticated caller's name
 * @param callerTier the caller's configured tier, or {@code null} when it has none
 * @param allowedFields the fields the caller may change, or {@code null} when it may change all
 * @param fields the update's fields by MailReach name, in request order; values are
 * {@link Integer}, {@link Boolean} or {@link String} ({@code time_zone} already an IANA id)
 */
public record PolicyRequest(String callerName, String callerTier, Set<String> allowedFields,
        Map<String, Object> fields) {

    public PolicyRequest {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        allowedFields = (allowedFields != null) ? Set.copyOf(allowedFields) : null;
    }

}
