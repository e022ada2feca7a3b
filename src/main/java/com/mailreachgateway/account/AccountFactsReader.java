package com.mailreachgateway.account;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.mailreachgateway.policy.AccountFacts;
import com.mailreachgateway.state.CachedAccount;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads what the policy needs from an account JSON as MailReach returned it. */
final class AccountFactsReader {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    /**
     * The facts of each cached copy, read once: an update reads the cached account's facts every
     * time, and a cached copy never changes (a new state is a new array). Keyed by the array's
     * identity and held only as long as the copy itself is.
     */
    private static final Cache<byte[], AccountFacts> READ = Caffeine.newBuilder()
        .weakKeys()
        .executor(Runnable::run)
        .build();

    private AccountFactsReader() {
    }

    /** The facts of a cached copy of the account. */
    static AccountFacts read(CachedAccount cached) {
        return READ.get(cached.json(), AccountFactsReader::read);
    }

    static AccountFacts read(byte[] json) {
        JsonNode account = MAPPER.readTree(json);
        List<String> tags = new ArrayList<>();
        for (JsonNode tag : account.path("tags")) {
            if (tag.path("name").isString()) {
                tags.add(tag.path("name").stringValue());
            }
        }
        return new AccountFacts(tags, number(account.path("score")),
                instant(account.path("domain").path("creation_date")), integer(account.path("config_rampup_target")),
                integer(account.path("config_rampup_increase")),
                integer(account.path("config_max_conversation_running")),
                account.path("domain").path("domain").isString() ? account.path("domain").path("domain").stringValue()
                        : null);
    }

    private static Double number(JsonNode node) {
        return node.isNumber() ? node.doubleValue() : null;
    }

    private static Integer integer(JsonNode node) {
        return (node.isIntegralNumber() && node.canConvertToInt()) ? node.intValue() : null;
    }

    private static Instant instant(JsonNode node) {
        if (!node.isString()) {
            return null;
        }
        try {
            return Instant.parse(node.stringValue());
        }
        catch (DateTimeParseException ex) {
            return null;
        }
    }

}
