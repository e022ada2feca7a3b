package com.mailreachgateway.account;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Resolves a {@code time_zone} value to the IANA id MailReach answers with: an IANA region id
 * as it is, or a Rails-style name ({@code Paris}) through ActiveSupport's mapping.
 */
final class TimeZones {

    private static final Set<String> IANA = ZoneId.getAvailableZoneIds();

    private static final Map<String, String> RAILS = load();

    private TimeZones() {
    }

    static Optional<String> toIana(String value) {
        if (IANA.contains(value)) {
            return Optional.of(value);
        }
        return Optional.ofNullable(RAILS.get(value));
    }

    private static Map<String, String> load() {
        Properties names = new Properties();
        try (InputStream in = TimeZones.class.getResourceAsStream("/account/rails-time-zones.properties")) {
            names.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        catch (IOException ex) {
            throw new IllegalStateException("Rails time zone names missing from the class path", ex);
        }
        return names.stringPropertyNames()
            .stream()
            .filter((name) -> IANA.contains(names.getProperty(name)))
            .collect(Collectors.toUnmodifiableMap((name) -> name, names::getProperty));
    }

}
