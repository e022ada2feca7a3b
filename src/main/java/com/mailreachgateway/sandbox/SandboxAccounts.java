package com.mailreachgateway.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.mailreachgateway.policy.UpdateFields;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The simulator's accounts, seeded from MailReach's documented example: 1234 is the seed's own
 * account, 1235 has a young domain, 1236 a low reputation score, 1237 a {@code tier:premium} tag.
 */
final class SandboxAccounts {

    private static final Set<String> ECHOED = UpdateFields.FIELDS.stream()
        .filter(UpdateFields.Field::echoed)
        .map(UpdateFields.Field::name)
        .collect(Collectors.toUnmodifiableSet());

    private final JsonMapper mapper;

    private final Map<Integer, ObjectNode> accounts = new ConcurrentHashMap<>();

    SandboxAccounts(Clock clock, JsonMapper mapper) {
        this.mapper = mapper;
        ObjectNode seed = load();
        this.accounts.put(1234, seed);
        ObjectNode young = variant(seed, 1235, "young@fresh-domain.io");
        ((ObjectNode) young.get("domain")).put("domain", "fresh-domain.io")
            .put("creation_date", clock.instant().minus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString());
        young.put(UpdateFields.RAMPUP_TARGET, 8).put(UpdateFields.RAMPUP_INCREASE, 1);
        this.accounts.put(1235, young);
        ObjectNode poor = variant(seed, 1236, "struggling@acme.com");
        poor.put("score", 41).put(UpdateFields.RAMPUP_TARGET, 12).put(UpdateFields.RAMPUP_INCREASE, 1);
        this.accounts.put(1236, poor);
        ObjectNode premium = variant(seed, 1237, "ceo@acme.com");
        ((ArrayNode) premium.get("tags")).addObject().put("id", 9).put("name", "tier:premium");
        this.accounts.put(1237, premium);
    }

    private ObjectNode variant(ObjectNode seed, int id, String email) {
        ObjectNode copy = seed.deepCopy();
        copy.put("id", id).put("email", email);
        return copy;
    }

    Optional<byte[]> get(int id) {
        ObjectNode account = this.accounts.get(id);
        if (account == null) {
            return Optional.empty();
        }
        synchronized (account) {
            return Optional.of(this.mapper.writeValueAsBytes(account));
        }
    }

    /** Applies the fields MailReach echoes; the others ({@code desc}, {@code alias}) are accepted but not echoed. */
    Optional<byte[]> update(int id, JsonNode changes) {
        ObjectNode account = this.accounts.get(id);
        if (account == null) {
            return Optional.empty();
        }
        synchronized (account) {
            for (Map.Entry<String, JsonNode> change : changes.properties()) {
                if (ECHOED.contains(change.getKey())) {
                    account.set(change.getKey(), change.getValue());
                }
            }
            return Optional.of(this.mapper.writeValueAsBytes(account));
        }
    }

    static boolean isZone(String zone) {
        return ZoneId.getAvailableZoneIds().contains(zone);
    }

    private ObjectNode load() {
        try (InputStream in = SandboxAccounts.class.getResourceAsStream("/sandbox/account-1234.json")) {
            return (ObjectNode) this.mapper.readTree(in);
        }
        catch (IOException ex) {
            throw new IllegalStateException("sandbox seed account missing", ex);
        }
    }

}
