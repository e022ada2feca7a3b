package com.mailreachgateway.caller;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.mailreachgateway.system.Sha256;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * Turns an {@code X-Api-Key} value into a {@link Caller} by comparing its SHA-256 with the
 * configured hashes in constant time. The key itself is never stored or logged.
 */
@Component
@EnableConfigurationProperties(CallerProperties.class)
public class CallerAuthenticator {

    private final List<Known> known;

    public CallerAuthenticator(CallerProperties properties) {
        this.known = properties.callers()
            .stream()
            .map((entry) -> new Known(HexFormat.of().parseHex(entry.keySha256().toLowerCase(Locale.ROOT)),
                    new Caller(entry.name(), entry.tier(),
                            (entry.allowedFields() != null) ? java.util.Set.copyOf(entry.allowedFields()) : null)))
            .toList();
    }

    /** The caller holding this key, if any. */
    public Optional<Caller> authenticate(String key) {
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        byte[] hash = sha256(key.strip());
        Caller match = null;
        // Compare against every entry so timing does not tell which prefix matched.
        for (Known candidate : this.known) {
            if (MessageDigest.isEqual(candidate.hash(), hash) && match == null) {
                match = candidate.caller();
            }
        }
        return Optional.ofNullable(match);
    }

    /** Every configured caller, for start-up checks. */
    public List<Caller> callers() {
        return this.known.stream().map(Known::caller).toList();
    }

    static byte[] sha256(String key) {
        return Sha256.digest(key.getBytes(StandardCharsets.UTF_8));
    }

    private record Known(byte[] hash, Caller caller) {
    }

}
