package com.mailreachgateway.upstream;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import com.mailreachgateway.policy.AccountFacts;
import com.mailreachgateway.policy.UpdateFields;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/** Reads what the policy needs from an account JSON in MailReach's wire format. */
@Component
public class AccountFactsReader {

    /**
     * The facts of each account JSON, read once: an update reads the cached account's facts every
     * time, and a cached copy never changes (a new state is a new array). Keyed by the array's
     * identity (an array's equals) and held only as long as the array itself is.
     */
    private final Map<byte[], AccountFacts> read = Collections.synchronizedMap(new WeakHashMap<>());

    private final JsonMapper mapper;

    public AccountFactsReader(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** The facts of one account JSON as MailReach returned it (read once per array). */
    public AccountFacts facts(byte[] json) {
        // Read outside the map's lock: two updates reading one new copy at once both parse it, harmlessly.
        AccountFacts facts = this.read.get(json);
        if (facts == null) {
            facts = read(json);
            this.read.put(json, facts);
        }
        return facts;
    }

    private AccountFacts read(byte[] json) {
        JsonNode account = this.mapper.readTree(json);
        List<String> tags = new ArrayList<>();
        for (JsonNode tag : account.path("tags")) {
            if (tag.path("name").isString()) {
                tags.add(tag.path("name").stringValue());
            }
        }
        return new AccountFacts(tags, number(account.path("score")),
                instant(account.path("domain").path("creation_date")), integer(account.path(UpdateFields.RAMPUP_TARGET)),
                integer(account.path(UpdateFields.RAMPUP_INCREASE)),
                integer(account.path(UpdateFields.MAX_CONVERSATIONS)),
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
