package com.mailreachgateway.account;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Reads an update body strictly: a JSON object of known fields with the right types and
 * ranges, no {@code null}s, no duplicates, at least one field. Every problem is collected, so
 * the caller learns about all bad fields at once.
 */
@Component
class AccountUpdateParser {

    // Pragmatic address check: local part, @, dotted host name; MailReach itself checks the alias list.
    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    private final JsonMapper mapper = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    private final ValidationProperties limits;

    AccountUpdateParser(ValidationProperties limits) {
        this.limits = limits;
    }

    /** Parses a path id: an integer in 1..2147483647. */
    static int parseId(String id) {
        try {
            int value = Integer.parseInt(id);
            if (value >= 1) {
                return value;
            }
        }
        catch (NumberFormatException ex) {
            // reported below
        }
        throw new InvalidRequestException("id", "must be an integer between 1 and 2147483647");
    }

    AccountUpdate parse(String body) {
        if (body == null || body.isBlank()) {
            throw new InvalidRequestException("body", "is required: a JSON object with the fields to change");
        }
        JsonNode root;
        try {
            root = this.mapper.readTree(body);
        }
        catch (JacksonException ex) {
            String where = (ex.getLocation() != null)
                    ? " (line " + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr() + ")" : "";
            throw new InvalidRequestException("body", "is not valid JSON" + where);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("body", "must be a JSON object");
        }
        if (root.isEmpty()) {
            throw new InvalidRequestException("body", "must contain at least one field to change");
        }
        List<FieldError> errors = new ArrayList<>();
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> property : root.properties()) {
            String name = property.getKey();
            UpdateField field = UpdateField.byName(name);
            if (field == null) {
                errors.add(new FieldError(name, unknown(name)));
                continue;
            }
            JsonNode value = property.getValue();
            if (value.isNull()) {
                errors.add(new FieldError(name, "must not be null; omit a field to leave it unchanged"));
                continue;
            }
            read(field, value, errors).ifPresent((parsed) -> fields.put(name, parsed));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return new AccountUpdate(fields);
    }

    private Optional<Object> read(UpdateField field, JsonNode value, List<FieldError> errors) {
        String name = field.jsonName();
        switch (field.type()) {
            case INTEGER -> {
                if (!value.isIntegralNumber()) {
                    errors.add(new FieldError(name, "must be an integer"));
                }
                else if (!value.canConvertToInt() || value.intValue() < field.min() || value.intValue() > field.max()) {
                    errors.add(new FieldError(name, "must be between " + field.min() + " and " + field.max()));
                }
                else {
                    return Optional.of(value.intValue());
                }
            }
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    errors.add(new FieldError(name, "must be true or false"));
                }
                else {
                    return Optional.of(value.booleanValue());
                }
            }
            case TEXT -> {
                if (!value.isString()) {
                    errors.add(new FieldError(name, "must be a string"));
                }
                else if (value.stringValue().length() > this.limits.maxLength(field)) {
                    errors.add(new FieldError(name, "must be at most " + this.limits.maxLength(field) + " characters"));
                }
                else {
                    return Optional.of(value.stringValue());
                }
            }
            case EMAIL -> {
                if (!value.isString()) {
                    errors.add(new FieldError(name, "must be a string"));
                }
                else if (value.stringValue().length() > 254 || !EMAIL.matcher(value.stringValue()).matches()) {
                    errors.add(new FieldError(name, "must be an email address"));
                }
                else {
                    return Optional.of(value.stringValue());
                }
            }
            case TIME_ZONE -> {
                if (!value.isString()) {
                    errors.add(new FieldError(name, "must be a string"));
                }
                else {
                    Optional<String> zone = TimeZones.toIana(value.stringValue());
                    if (zone.isEmpty()) {
                        errors.add(new FieldError(name,
                                "must be an IANA time zone id (Europe/Paris) or a Rails time zone name (Paris)"));
                    }
                    return zone.map(Object.class::cast);
                }
            }
        }
        return Optional.empty();
    }

    private static String unknown(String name) {
        String nearest = java.util.Arrays.stream(UpdateField.values())
            .map(UpdateField::jsonName)
            .min(Comparator.comparingInt((candidate) -> distance(candidate, name)))
            .orElseThrow();
        String hint = (distance(nearest, name) <= 3) ? " (did you mean " + nearest + "?)" : "";
        return "is not a field of the account update" + hint;
    }

    /** Levenshtein distance, to suggest the field a typo meant. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

}
