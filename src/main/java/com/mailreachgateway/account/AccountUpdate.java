package com.mailreachgateway.account;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A validated update: the fields the caller sent, by MailReach name, in request order. Values
 * are {@link Integer}, {@link Boolean} or {@link String}; {@code time_zone} is an IANA id.
 *
 * @param fields the fields sent
 */
record AccountUpdate(Map<String, Object> fields) {

    AccountUpdate {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

}
