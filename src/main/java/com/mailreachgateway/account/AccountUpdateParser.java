package com.mailreachgateway.account;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.mailreachgateway.policy.UpdateFields;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * Reads an update body strictly: UTF-8 bytes (invalid sequences refused, never replaced), a
 * JSON object within the parser's size limits, of known fields with the right types and ranges
 * (MailReach's contract, {@link UpdateFields}), no {@code null}s, no duplicates, at least one
 * field, and strings free of control characters and unpaired surrogates. Every problem is
 * collected, so the caller learns about all bad fields at once.
 */
@Component
@EnableConfigurationProperties(ValidationProperties.class)
class AccountUpdateParser {

    // Pragmatic address check: local part, @, dotted host name; MailReach itself checks the alias list.
    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    /** The update is a flat object: one level, and a little room to name a nested value's field. */
    static final int MAX_NESTING_DEPTH = 8;

    /** Longest number literal: any int with room to spare; 1000-digit numbers cost CPU to convert. */
    static final int MAX_NUMBER_LENGTH = 32;

    /** Longest key: known fields are at most 31 characters. */
    static final int MAX_NAME_LENGTH = 256;

    /** Keys up to this length get a "did you mean" hint; edit distance is quadratic in it. */
    static final int MAX_HINTED_NAME_LENGTH = FieldError.MAX_SHOWN_NAME;

    private final JsonMapper mapper;

    private final ValidationProperties limits;

    private final int maxStringLength;

    AccountUpdateParser(ValidationProperties limits) {
        this.limits = limits;
        // Field checks give the precise "at most N characters"; the parser's own bound is a
        // backstop for strings anywhere else (unknown fields, nested values).
        this.maxStringLength = 2 * Math.max(limits.maxSignatureLength(),
                Math.max(limits.maxDescLength(), limits.maxNameLength()));
        StreamReadConstraints constraints = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxNameLength(MAX_NAME_LENGTH)
            .maxStringLength(this.maxStringLength)
            .build();
        // Deliberately not the application's mapper: strict limits, duplicates and trailing text refused.
        this.mapper = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(constraints).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    }

    /** Parses the body's bytes, which must be UTF-8 (RFC 8259 section 8.1). */
    AccountUpdate parse(byte[] bytes) {
        String body = (bytes != null) ? decodeUtf8(bytes) : null;
        if (body == null || body.isBlank()) {
            throw new InvalidRequestException("body", "is required: a JSON object with the fields to change");
        }
        JsonNode root;
        try {
            root = this.mapper.readTree(body);
        }
        catch (StreamConstraintsException ex) {
            throw new InvalidRequestException("body", tooBig(ex));
        }
        catch (JacksonException ex) {
            String where = (ex.getLocation() != null)
                    ? " (line " + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr() + ")" : "";
            throw new InvalidRequestException("body", "is not valid JSON" + where);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("body", "must be a JSON object");
        }
        if (root.size() < UpdateFields.MIN_FIELDS) {
            throw new InvalidRequestException("body", "must contain at least one field to change");
        }
        List<FieldError> errors = new ArrayList<>();
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> property : root.properties()) {
            String name = property.getKey();
            UpdateFields.Field field = UpdateFields.field(name);
            if (field == null) {
                errors.add(new FieldError(FieldError.shown(name), unknown(name)));
                continue;
            }
            JsonNode value = property.getValue();
            if (value.isNull()) {
                errors.add(new FieldError(name, "must not be null; omit a field to leave it unchanged"));
                continue;
            }
            if (value.isString()) {
                String problem = TextRules.problem(value.stringValue(), field.multiLine());
                if (problem != null) {
                    errors.add(new FieldError(name, problem));
                    continue;
                }
            }
            read(field, value, errors).ifPresent((parsed) -> fields.put(name, parsed));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return new AccountUpdate(fields);
    }

    private Optional<Object> read(UpdateFields.Field field, JsonNode value, List<FieldError> errors) {
        String name = field.name();
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
            case TEXT, HTML -> {
                if (!value.isString()) {
                    errors.add(new FieldError(name, "must be a string"));
                }
                else if (value.stringValue().length() > this.limits.maxLength(name)) {
                    errors.add(new FieldError(name, "must be at most " + this.limits.maxLength(name) + " characters"));
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

    /** Strict UTF-8: a byte that is not part of a valid sequence is an error, never U+FFFD. */
    private static String decodeUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new InvalidRequestException("body", "is not valid UTF-8 (byte " + in.position() + ")");
        }
        return out.flip().toString();
    }

    /** Which of the parser's limits the body broke, in the caller's terms. */
    private String tooBig(StreamConstraintsException ex) {
        String message = String.valueOf(ex.getOriginalMessage()).toLowerCase(java.util.Locale.ROOT);
        if (message.contains("nesting depth")) {
            return "is nested deeper than " + MAX_NESTING_DEPTH + " levels";
        }
        if (message.contains("number value length")) {
            return "has a number longer than " + MAX_NUMBER_LENGTH + " characters";
        }
        if (message.contains("name length")) {
            return "has a key longer than " + MAX_NAME_LENGTH + " characters";
        }
        if (message.contains("string value length")) {
            return "has a string longer than " + this.maxStringLength + " characters";
        }
        return "exceeds a limit of the JSON parser";
    }

    private static String unknown(String name) {
        String nearest = (name.length() <= MAX_HINTED_NAME_LENGTH) ? UpdateFields.nearest(name) : null;
        return "is not a field of the account update" + ((nearest != null) ? " (did you mean " + nearest + "?)" : "");
    }

}
